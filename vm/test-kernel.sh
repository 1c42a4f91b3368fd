#!/usr/bin/env bash
# pnpm test:kernel [job ...] — runs the kernel jobs (vm/jobs/<job>.sh; default: all of them), each in
# a fresh qemu guest with Debian's kernel, vivid and v4l2loopback. See vm/README.md.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
started=$(date +%s)
mkdir -p "$CACHE_DIR" "$WORK_DIR"

jobs=("$@")
if ((${#jobs[@]} == 0)); then
  for f in "$VM_DIR"/jobs/*.sh; do jobs+=("$(basename "$f" .sh)"); done
fi
for job in "${jobs[@]}"; do
  [[ -f $VM_DIR/jobs/$job.sh ]] || die "no job vm/jobs/$job.sh"
done

bash "$VM_DIR/lib/host-packages.sh"

kdir=$(flock "$CACHE_DIR/.prepare.lock" bash "$VM_DIR/lib/prepare.sh")
log "kernel $(basename "$kdir") ready after $(($(date +%s) - started)) s"

# Jobs run prebuilt JavaScript (tsx over 9p under TCG is slow): each job declares the package
# directories to build, dependencies first, with a '# vm-build: packages/a packages/b' line. A failed
# build fails the jobs that need it, not the others.
declare -A built=()
build_for() {
  local line d
  line=$(grep -m1 '^# vm-build:' "$VM_DIR/jobs/$1.sh" || true)
  ((${DEEPSEG_VM_SKIP_BUILD:-0})) && return 0 # reuse the dist/ already built
  for d in ${line#\# vm-build:}; do
    if [[ -z ${built[$d]:-} ]]; then
      log "building $d"
      if (cd "$REPO_DIR/$d" && npm run -s build >"$WORK_DIR/build.log" 2>&1); then
        built[$d]=ok
      else
        built[$d]=failed
        sed 's/^/  build| /' "$WORK_DIR/build.log" >&2
      fi
    fi
    [[ ${built[$d]} == ok ]] || { log "job $1: build of $d failed"; return 1; }
  done
}

passed=0
failed=0
for job in "${jobs[@]}"; do
  limit=$(sed -n 's/^# vm-timeout: *\([0-9]*\).*/\1/p' "$VM_DIR/jobs/$job.sh" | head -1)
  t0=$(date +%s)
  set +e
  if build_for "$job"; then
    bash "$VM_DIR/lib/run-job.sh" "$kdir" "$job" "${limit:-300}"
    status=$?
  else
    status=126
    mkdir -p "$WORK_DIR/runs/$job" && : >"$WORK_DIR/runs/$job/job.log"
  fi
  set -e
  out="$WORK_DIR/runs/$job"
  sed 's/^/  | /' "$out/job.log" 2>/dev/null || true
  # Results a job leaves on the share (e.g. benchmark JSON) go to bench-results/.
  for f in "$out"/*.json; do
    [[ -f $f ]] && mkdir -p "$REPO_DIR/bench-results" && cp "$f" "$REPO_DIR/bench-results/"
  done
  if ((status == 0)); then
    passed=$((passed + 1))
    log "job $job passed in $(($(date +%s) - t0)) s"
  else
    failed=$((failed + 1))
    log "job $job FAILED (status $status) in $(($(date +%s) - t0)) s; console: $out/console.log"
    [[ -n ${CI:-} ]] && tail -40 "$out/console.log" 2>/dev/null | sed 's/^/  console| /'
  fi
done
log "total $(($(date +%s) - started)) s"
echo "kernel: $passed passed, $failed failed"
((failed == 0))
