// The Stats page's charts, drawn with uPlot from the report the page carries in #stats-data: the same
// JSON as `berth stats --json` and GET /api/v1/stats. Everything drawn from it goes onto canvases or
// through textContent, so a pool's or repository's name is never read as markup.
(function () {
  'use strict';
  var holder = document.getElementById('stats-data');
  if (!holder || typeof uPlot === 'undefined') {
    return;
  }
  var report = JSON.parse(holder.dataset.stats);
  var STATES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'REJECTED'];
  var COLORS = {SUCCEEDED: '#1a7f37', FAILED: '#c62828', TIMED_OUT: '#e07b00', CANCELLED: '#8a8f98', REJECTED: '#6f42c1'};
  var HEIGHT = 220;
  // How much of its bin a histogram's bar fills: the gaps between bars are where the bins' edges are labelled
  var BAR = 0.9;
  var charts = [];

  function widthOf(element) {
    return Math.max(280, element.clientWidth || 600);
  }

  function seconds(instant) {
    return Date.parse(instant) / 1000;
  }

  function say(element, text) {
    var note = document.createElement('p');
    note.className = 'empty';
    note.textContent = text;
    element.appendChild(note);
  }

  function draw(element, options, data) {
    options.width = widthOf(element);
    options.height = HEIGHT;
    charts.push({element: element, plot: new uPlot(options, data, element)});
  }

  // 0s, 30s, 5m, 2h, 1d: the histogram's edges as a person reads them
  function short(total) {
    if (total >= 86400 && total % 86400 === 0) { return (total / 86400) + 'd'; }
    if (total >= 3600 && total % 3600 === 0) { return (total / 3600) + 'h'; }
    if (total >= 60 && total % 60 === 0) { return (total / 60) + 'm'; }
    return total + 's';
  }

  // A bar of nothing is left out: uPlot would draw it as a line along the axis, in its series' colour
  function bars(values) {
    return values.map(function (value) { return value === 0 ? null : value; });
  }

  // A vertical axis for hours, which may be a few thousandths: its values with as many decimals as the step
  // between them has (uPlot's own stop at three, so 0.0005 and 0.001 would both read "0.001"), and as wide
  // as its longest value needs
  var HOURS_AXIS = {
    values: function (u, splits, axis, space, step) {
      var places = (String(+step.toPrecision(6)).split('.')[1] || '').length;
      return splits.map(function (value) { return value.toFixed(places); });
    },
    size: function (u, values, axis) {
      var longest = (values || []).reduce(function (widest, value) { return value.length > widest.length ? value : widest; }, '');
      u.ctx.font = u.axes[axis].font[0];
      return Math.ceil(u.axes[axis].ticks.size + u.axes[axis].gap + u.ctx.measureText(longest).width / uPlot.pxRatio) + 8;
    }
  };

  // Bars for categories at 0, 1, 2...: each category's label on the axis under its bar. The scale reaches
  // at least `least` (1 for counts, so one job is not a full-height bar; nothing for hours, where a few
  // seconds of a GPU are all there may be); `axis` adds to the vertical axis's options
  function categories(element, labels, values, name, color, least, axis) {
    draw(element, {
      legend: {show: false},
      scales: {x: {time: false, range: [-0.5, labels.length - 0.5]}, y: {range: function (u, min, max) { return [0, Math.max(least, max)]; }}},
      axes: [
        {splits: function () { return labels.map(function (label, i) { return i; }); },
          values: function (u, splits) { return splits.map(function (i) { return labels[i] === undefined ? '' : labels[i]; }); }},
        Object.assign({label: name}, axis)
      ],
      series: [{}, {label: name, fill: color, stroke: color, paths: uPlot.paths.bars({size: [0.7, 80]}), points: {show: false}}]
    }, [labels.map(function (label, i) { return i; }), bars(values)]);
  }

  function finishedPerInterval() {
    var element = document.getElementById('chart-finished');
    var rows = report.finished_per_interval;
    var xs = rows.map(function (row) { return seconds(row.start); });
    var last = xs[xs.length - 1] + report.interval_seconds;
    // Stacked: each state's series is the sum of it and the states before it, drawn tallest first, so every
    // state shows as its own band; the legend shows each state's own count
    var running = xs.map(function () { return 0; });
    var stacked = STATES.map(function (state) {
      running = running.map(function (sum, i) { return sum + rows[i][state]; });
      return running.slice();
    });
    var series = [{}];
    var data = [xs];
    for (var k = STATES.length - 1; k >= 0; k--) {
      (function (state) {
        series.push({label: state, fill: COLORS[state], stroke: COLORS[state], points: {show: false},
          paths: uPlot.paths.bars({size: [0.9, 60], align: 1}),
          value: function (u, value, seriesIndex, index) { return index == null ? '--' : String(rows[index][state]); }});
      })(STATES[k]);
      data.push(bars(stacked[k]));
    }
    draw(element, {
      scales: {x: {time: true, range: function () { return [xs[0], last]; }}, y: {range: function (u, min, max) { return [0, Math.max(1, max)]; }}},
      axes: [{}, {label: 'jobs'}],
      series: series
    }, data);
  }

  function queueDepth() {
    var element = document.getElementById('chart-depth');
    var samples = report.queue_depth;
    draw(element, {
      scales: {x: {time: true}, y: {range: function (u, min, max) { return [0, Math.max(1, max)]; }}},
      axes: [{}, {label: 'jobs waiting'}],
      series: [{}, {label: 'waiting', stroke: '#0b5cad', fill: 'rgba(11, 92, 173, 0.12)', width: 2}]
    }, [samples.map(function (sample) { return seconds(sample.at); }), samples.map(function (sample) { return sample.waiting; })]);
  }

  // Where a duration falls on a histogram of bins at 0, 1, 2...: on its bin's bar, in proportion (the open last bin: its middle)
  function position(value, bins) {
    for (var i = 0; i < bins.length; i++) {
      var bin = bins[i];
      if (bin.to_seconds === null || value < bin.to_seconds) {
        var share = bin.to_seconds === null ? 0.5 : (value - bin.from_seconds) / (bin.to_seconds - bin.from_seconds);
        return i + (Math.min(1, Math.max(0, share)) - 0.5) * BAR;
      }
    }
    return bins.length - 1 + BAR / 2;
  }

  function histogram(id, distribution) {
    var element = document.getElementById(id);
    var bins = distribution.histogram;
    if (distribution.count === 0) {
      say(element, 'no jobs in this window');
      return;
    }
    // Each edge labelled once, in the gap between two bars (a label of each bin's both ends would not fit under eleven bins)
    var last = bins[bins.length - 1];
    var edges = bins.map(function (bin) { return short(bin.from_seconds) + (bin.to_seconds === null ? '+' : ''); }).concat(last.to_seconds === null ? [] : [short(last.to_seconds)]);
    var marks = [['median', distribution.median_seconds, '#0b5cad'], ['p95', distribution.p95_seconds, '#c62828']];
    draw(element, {
      legend: {show: false},
      scales: {x: {time: false, range: [-0.5, bins.length - 0.5]}, y: {range: function (u, min, max) { return [0, Math.max(1, max)]; }}},
      axes: [
        {splits: function () { return edges.map(function (edge, k) { return k - 0.5; }); },
          values: function (u, splits) { return splits.map(function (split, k) { return edges[k]; }); }},
        {label: 'jobs'}
      ],
      // As wide as their bins however few there are, so that the median and p95 fall on the bar of their bin
      series: [{}, {label: 'jobs', fill: '#9bb7d4', stroke: '#5b7fa6', paths: uPlot.paths.bars({size: [BAR, Infinity]}), points: {show: false}}],
      hooks: {draw: [function (u) {
        var ratio = uPlot.pxRatio;
        var context = u.ctx;
        marks.forEach(function (mark, n) {
          if (mark[1] === null) {
            return;
          }
          var x = u.valToPos(position(mark[1], bins), 'x', true);
          context.save();
          context.strokeStyle = mark[2];
          context.fillStyle = mark[2];
          context.lineWidth = 2 * ratio;
          context.setLineDash([5 * ratio, 4 * ratio]);
          context.beginPath();
          context.moveTo(x, u.bbox.top);
          context.lineTo(x, u.bbox.top + u.bbox.height);
          context.stroke();
          context.font = (11 * ratio) + 'px system-ui, sans-serif';
          context.fillText(mark[0], x + 4 * ratio, u.bbox.top + (12 + 13 * n) * ratio);
          context.restore();
        });
      }]}
    }, [bins.map(function (bin, i) { return i; }), bars(bins.map(function (bin) { return bin.jobs; }))]);
  }

  function failures() {
    var element = document.getElementById('chart-failures');
    var causes = Object.keys(report.failures_by_cause);
    var counts = causes.map(function (cause) { return report.failures_by_cause[cause]; });
    if (counts.every(function (count) { return count === 0; })) {
      say(element, 'no failures in this window');
      return;
    }
    categories(element, causes, counts, 'jobs', '#c62828', 1, {});
  }

  function gpuHours() {
    var element = document.getElementById('chart-gpu-hours');
    var pools = report.pools;
    if (pools.every(function (pool) { return pool.gpu_hours === 0; })) {
      say(element, 'no GPU-hours in this window');
      return;
    }
    categories(element, pools.map(function (pool) { return pool.pool === null ? '(any)' : pool.pool; }),
      pools.map(function (pool) { return pool.gpu_hours; }), 'GPU-hours', '#6f42c1', 0, HOURS_AXIS);
  }

  finishedPerInterval();
  queueDepth();
  histogram('chart-waits', report.wait);
  histogram('chart-runs', report.run);
  failures();
  gpuHours();

  window.addEventListener('resize', function () {
    charts.forEach(function (chart) { chart.plot.setSize({width: widthOf(chart.element), height: HEIGHT}); });
  });
})();
