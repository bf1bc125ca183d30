// The dashboard's few behaviours, in plain JavaScript from berth's jar: parts of a page that refresh
// when berth's store changes, a job's output followed as it grows, and a confirmation before a cancel.
// Text from jobs (log lines) goes in as text nodes, never as markup; refreshed parts are berth's own
// server-rendered, escaped HTML.
'use strict';
(function () {
  const live = Array.from(document.querySelectorAll('[data-live]'));
  if (live.length > 0) {
    // The store's change marker the page was made at; /events/jobs sends the current one on connecting and each change
    let marker = live[0].dataset.marker;
    const changes = new EventSource('/events/jobs');
    changes.addEventListener('jobs', function (event) {
      if (event.data !== marker) {
        marker = event.data;
        live.forEach(refresh);
      }
    });
  }

  function refresh(element) {
    const asked = (element.berthAsked || 0) + 1;
    element.berthAsked = asked;
    fetch(element.dataset.live, { credentials: 'same-origin' })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        // An answer overtaken by a later one is dropped
        if (html !== null && element.berthAsked === asked) {
          const fresh = new DOMParser().parseFromString(html, 'text/html');
          element.replaceChildren(...fresh.body.childNodes);
        }
      })
      .catch(function () { /* berth is away: the next change refreshes again */ });
  }

  document.querySelectorAll('pre[data-log]').forEach(function (pre) {
    const output = new EventSource(pre.dataset.log);
    let shown = 0;
    output.addEventListener('attempt', function (event) {
      const attempt = JSON.parse(event.data).attempt;
      if (attempt !== shown) {
        shown = attempt;
        append(pre, 'attempt', (pre.childNodes.length > 0 ? '\n' : '') + '── attempt ' + attempt + ' ──\n');
      }
    });
    output.addEventListener('log', function (event) {
      append(pre, null, JSON.parse(event.data).text);
    });
    output.addEventListener('end', function () {
      output.close();
      pre.classList.add('ended');
    });
    output.addEventListener('failure', function (event) {
      output.close();
      append(pre, 'failure', '\n' + JSON.parse(event.data).error + '\n');
    });
  });

  function append(pre, kind, text) {
    const following = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    const node = kind === null ? document.createTextNode(text) : document.createElement('span');
    if (kind !== null) {
      node.className = kind;
      node.textContent = text;
    }
    pre.appendChild(node);
    if (following) {
      pre.scrollTop = pre.scrollHeight;
    }
  }

  // The self-test goes into the queue like any job; its own page then follows it
  const selfTest = document.querySelector('button[data-selftest]');
  if (selfTest !== null) {
    selfTest.addEventListener('click', function () {
      const problem = document.getElementById('selftest-problem');
      selfTest.disabled = true;
      problem.textContent = '';
      fetch(selfTest.dataset.selftest, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', credentials: 'same-origin' })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (answer) {
          if (answer.ok) {
            window.location.assign('/jobs/' + encodeURIComponent(answer.body.job_id));
          }
          else {
            problem.textContent = answer.body.error;
            selfTest.disabled = false;
          }
        })
        .catch(function (error) {
          problem.textContent = 'berth did not answer: ' + error;
          selfTest.disabled = false;
        });
    });
  }

  document.addEventListener('submit', function (event) {
    const question = event.target.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
