#!/bin/sh
# Builds berth's small local job image without any registry: Debian's static busybox plus its
# applet links, imported as a one-layer image. Jobs (and the tests) run in it where nothing can
# be pulled. Idempotent: does nothing when the image is already there.
#
#   scripts/local-image.sh [IMAGE] [DOCKER_HOST]     defaults: berth-local/busybox:1, $DOCKER_HOST
set -eu

image=${1:-berth-local/busybox:1}
host=${2:-${DOCKER_HOST:-unix:///var/run/docker.sock}}

if docker -H "$host" image inspect "$image" >/dev/null 2>&1; then
    exit 0
fi

busybox=$(command -v busybox || true)
if [ -z "$busybox" ]; then
    echo "local-image: busybox not found; install it with: apt-get install -y busybox-static" >&2
    exit 1
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root"
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

tar -C "$root" -c . | docker -H "$host" import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - "$image" >/dev/null
echo "local-image: built $image on $host"
