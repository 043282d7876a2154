#!/usr/bin/env bash
# deploy/ as far as a machine without a container engine or a cluster can check it: every
# YAML file parses; the DaemonSet has what lmp needs (privileged, hostPID, the kernel
# mounts, the metrics port, probes and scrape annotations, all consistent with its own
# command line); promtool accepts the Prometheus configurations and every dashboard query;
# the dashboard refers only to lmp's metrics; the Dockerfile builds from debian:12 with the
# project's setup script and its runtime stage has every library lmp and lmp-hub load; and
# the DaemonSet's command line is one `lmp run` accepts (run here with --duration 0).
# Usage: tests/deploy_test.sh LMP_BINARY
# promtool (Debian's prometheus package) and eBPF (root, kernel BTF) are required when
# LMP_REQUIRE_BPF=1; otherwise their steps are skipped with a message.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 LMP_BINARY" >&2
  exit 2
fi
lmp=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -x "$lmp" ] || {
  echo "FAIL: $1 is not an executable"
  exit 1
}
root=$(cd "$(dirname "$0")/.." && pwd)
deploy=$root/deploy
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
require=${LMP_REQUIRE_BPF:-0}

fail() {
  echo "FAIL: $*"
  exit 1
}
# A step this machine cannot run: fails under LMP_REQUIRE_BPF=1, else is skipped.
cannot() {
  [ "$require" = 1 ] && fail "$* (LMP_REQUIRE_BPF=1)"
  echo "skip: $*"
}

python3 -c 'import yaml' 2>/dev/null || fail "python3 with PyYAML is needed (apt-get install python3-yaml)"

# ---- YAML, the DaemonSet, the Service, the Prometheus jobs, the dashboard, the Dockerfile ----
# Writes $tmp/args (the container's arguments, one per line), $tmp/exprs (the dashboard's
# queries, one per line), $tmp/runtime-packages (apt-get install of the runtime stage) and
# $tmp/prometheus-static.yml (prometheus.yml with Kubernetes discovery swapped for a
# static target, for a promtool built without Kubernetes support).
python3 - "$deploy" "$tmp" <<'PY'
import glob
import json
import os
import re
import shlex
import sys

import yaml

deploy, tmp = sys.argv[1], sys.argv[2]


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def ok(message):
    print("ok: " + message)


# Every YAML file parses (a file may hold several documents).
docs = {}
files = sorted(glob.glob(os.path.join(deploy, "**", "*.yaml"), recursive=True) +
               glob.glob(os.path.join(deploy, "**", "*.yml"), recursive=True))
check(files, "no YAML files under deploy/")
for path in files:
    try:
        with open(path) as f:
            docs[os.path.relpath(path, deploy)] = [d for d in yaml.safe_load_all(f) if d is not None]
    except yaml.YAMLError as e:
        fail(f"{os.path.relpath(path, deploy)} does not parse: {e}")
ok(f"{len(files)} YAML files parse: {', '.join(sorted(docs))}")

# ---- the DaemonSet ----
ds_docs = docs.get("kubernetes/daemonset.yaml", [])
check(len(ds_docs) == 1, "kubernetes/daemonset.yaml must hold exactly one document")
ds = ds_docs[0]
check(ds.get("apiVersion") == "apps/v1", f"DaemonSet apiVersion is {ds.get('apiVersion')!r}, not apps/v1")
check(ds.get("kind") == "DaemonSet", f"kind is {ds.get('kind')!r}, not DaemonSet")
check(ds.get("metadata", {}).get("name") == "lmp", "the DaemonSet is not named lmp")
check("namespace" not in ds.get("metadata", {}), "the DaemonSet sets a namespace (kubectl -n chooses it)")
spec = ds.get("spec", {})
selector = spec.get("selector", {}).get("matchLabels") or {}
template = spec.get("template", {})
labels = template.get("metadata", {}).get("labels") or {}
check(selector, "spec.selector.matchLabels is empty")
check(all(labels.get(k) == v for k, v in selector.items()),
      f"selector {selector} does not match the template's labels {labels}")
ok(f"DaemonSet lmp (apps/v1), selector {selector} matches the template's labels")

pod = template.get("spec", {})
check(pod.get("hostPID") is True, "hostPID is not true")
check(isinstance(pod.get("hostNetwork", False), bool), "hostNetwork is not a boolean")
containers = pod.get("containers") or []
check(len(containers) == 1, f"expected one container, found {len(containers)}")
c = containers[0]
check(c.get("securityContext", {}).get("privileged") is True, "the container is not privileged")
ok(f"privileged, hostPID, hostNetwork {str(pod.get('hostNetwork', False)).lower()}")

# The kernel's directories, mounted from the host at the same path.
volumes = {v["name"]: v for v in pod.get("volumes") or []}
mounts = {m["mountPath"]: m for m in c.get("volumeMounts") or []}
for path, read_only in [("/sys/kernel/btf", True), ("/sys/kernel/tracing", False),
                        ("/sys/kernel/debug", False), ("/sys/fs/bpf", False),
                        ("/lib/modules", True)]:
    check(path in mounts, f"{path} is not mounted")
    volume = volumes.get(mounts[path]["name"])
    check(volume is not None, f"{path}: no volume {mounts[path]['name']!r}")
    check(volume.get("hostPath", {}).get("path") == path, f"{path} is not the host's {path}")
    if read_only:
        check(mounts[path].get("readOnly") is True, f"{path} is not mounted read-only")
ok("host mounts: /sys/kernel/btf (ro), /sys/kernel/tracing, /sys/kernel/debug, /sys/fs/bpf, /lib/modules (ro)")

env = {e["name"]: e.get("value") for e in c.get("env") or []}
check("LMP_HOME" in env, "LMP_HOME is not set")
home = mounts.get(env["LMP_HOME"])
check(home is not None and "emptyDir" in volumes.get(home["name"], {}),
      f"LMP_HOME ({env['LMP_HOME']}) is not an emptyDir mount")
if c.get("securityContext", {}).get("readOnlyRootFilesystem"):
    check("/tmp" in mounts, "a read-only root filesystem needs a writable /tmp")
ok(f"LMP_HOME={env['LMP_HOME']} on an emptyDir")

for kind in ("requests", "limits"):
    r = c.get("resources", {}).get(kind) or {}
    check("cpu" in r and "memory" in r, f"resources.{kind} lacks cpu or memory")
ok("resource requests and limits for cpu and memory")

# The command line: the image's entrypoint is lmp, so args start with run.
check(not c.get("command") or c["command"] == ["lmp"], f"command {c.get('command')} is not lmp")
args = [str(a) for a in c.get("args") or []]
check(args[:1] == ["run"], f"the container's args do not start with run: {args}")
check("--metrics" in args, "the container's args have no --metrics")
address = args[args.index("--metrics") + 1]
m = re.fullmatch(r"(.*):(\d+)", address)
check(m, f"--metrics {address} is not ADDR:PORT")
host, port = m.group(1), int(m.group(2))
check(host in ("0.0.0.0", "[::]", "::", ""),
      f"--metrics listens on {host} only: Prometheus and the kubelet's probes reach the pod's address")
ports = {p.get("name"): p for p in c.get("ports") or []}
check("metrics" in ports and ports["metrics"].get("containerPort") == port,
      f"no containerPort {port} named metrics")
annotations = template.get("metadata", {}).get("annotations") or {}
check(annotations.get("prometheus.io/scrape") == "true", "annotation prometheus.io/scrape is not \"true\"")
check(annotations.get("prometheus.io/port") == str(port), f"annotation prometheus.io/port is not \"{port}\"")
for probe in ("livenessProbe", "readinessProbe"):
    get = c.get(probe, {}).get("httpGet") or {}
    check(get.get("path") == "/metrics", f"{probe} does not GET /metrics")
    check(get.get("port") in ("metrics", port), f"{probe} does not use the metrics port")
ok(f"--metrics {address}, containerPort {port} named metrics, scrape annotations, "
   "liveness and readiness probes on /metrics")
with open(os.path.join(tmp, "args"), "w") as f:
    f.write("\n".join(args) + "\n")

# ---- the Service, when there is one ----
for doc in docs.get("kubernetes/service.yaml", []):
    check(doc.get("kind") == "Service" and doc.get("apiVersion") == "v1", "service.yaml is not a v1 Service")
    s = doc.get("spec", {})
    check(s.get("clusterIP") == "None", "the Service is not headless (clusterIP: None)")
    check(s.get("selector") and all(labels.get(k) == v for k, v in s["selector"].items()),
          "the Service's selector does not match the DaemonSet's pods")
    check(any(p.get("targetPort") in ("metrics", port) for p in s.get("ports") or []),
          "the Service does not target the metrics port")
    ok("headless Service selects the DaemonSet's pods and their metrics port")

# ---- Prometheus: the jobs match the DaemonSet ----
prom = docs.get("prometheus/prometheus.yml", [None])[0]
check(isinstance(prom, dict), "prometheus/prometheus.yml is not a mapping")
jobs = {j.get("job_name"): j for j in prom.get("scrape_configs") or []}
static = [j for j in jobs.values()
          if any(f"localhost:{port}" in sc.get("targets", []) for sc in j.get("static_configs") or [])]
check(static, f"no static job scraping localhost:{port}")
k8s = [j for j in jobs.values() if j.get("kubernetes_sd_configs")]
check(k8s, "no job with kubernetes_sd_configs")
job = k8s[0]
check(any(sd.get("role") == "pod" for sd in job["kubernetes_sd_configs"]), "the Kubernetes job does not discover pods")


def keeps(source, value):
    return any(r.get("action") == "keep" and r.get("source_labels") == [source] and
               re.fullmatch(str(r.get("regex", "(.*)")), value)
               for r in job.get("relabel_configs") or [])


check(keeps("__meta_kubernetes_pod_annotation_prometheus_io_scrape", "true"),
      "the Kubernetes job does not keep pods annotated prometheus.io/scrape: \"true\"")
for key, value in labels.items():
    meta = "__meta_kubernetes_pod_label_" + re.sub(r"[^a-zA-Z0-9_]", "_", key)
    if any(r.get("source_labels") == [meta] for r in job.get("relabel_configs") or []):
        check(keeps(meta, value), f"the Kubernetes job drops the DaemonSet's pods ({key}={value})")
if any(r.get("source_labels") == ["__meta_kubernetes_pod_container_port_name"]
       for r in job.get("relabel_configs") or []):
    check(keeps("__meta_kubernetes_pod_container_port_name", "metrics"),
          "the Kubernetes job drops the port named metrics")
ok(f"Prometheus: static job {static[0]['job_name']} (localhost:{port}), Kubernetes job "
   f"{job['job_name']} keeps the DaemonSet's annotated pods")
# The same file for a promtool without Kubernetes discovery (Debian builds it without).
for j in k8s:
    j.pop("kubernetes_sd_configs")
    j["static_configs"] = [{"targets": [f"placeholder.invalid:{port}"]}]
with open(os.path.join(tmp, "prometheus-static.yml"), "w") as f:
    yaml.safe_dump(prom, f)

# ---- the dashboard ----
path = os.path.join(deploy, "grafana", "lmp-dashboard.json")
try:
    with open(path) as f:
        dash = json.load(f)
except (OSError, ValueError) as e:
    fail(f"grafana/lmp-dashboard.json: {e}")
check(isinstance(dash.get("schemaVersion"), int) and dash["schemaVersion"] >= 36,
      "the dashboard's schemaVersion is missing or older than 36")
variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
check("instance" in variables, "the dashboard has no instance variable")
check(any(v.get("type") == "datasource" for v in variables.values()) or "${DS_PROMETHEUS}" in json.dumps(dash),
      "the dashboard's data source is neither a datasource variable nor ${DS_PROMETHEUS}")


def panels_of(items):
    for p in items:
        yield p
        yield from panels_of(p.get("panels") or [])


exprs, ids, metrics = [], set(), set()
for p in panels_of(dash.get("panels") or []):
    title = p.get("title", "?")
    check(p.get("id") not in ids, f"panel id {p.get('id')} is used twice")
    ids.add(p.get("id"))
    check("gridPos" in p, f"panel {title!r} has no gridPos")
    if p.get("type") in ("row", "text"):
        continue
    targets = p.get("targets") or []
    check(targets, f"panel {title!r} has no query")
    for t in targets:
        expr = (t.get("expr") or "").strip()
        check(expr, f"panel {title!r} has an empty query")
        found = re.findall(r"\b((?:lmp|process)_[a-zA-Z0-9_]+)", expr)
        check(found, f"panel {title!r} queries no lmp_ or process_ metric: {expr}")
        metrics.update(found)
        if p.get("type") == "heatmap":
            check(t.get("format") == "heatmap", f"heatmap {title!r}: the query's format is not heatmap")
            check("_bucket" in expr and "le" in expr, f"heatmap {title!r} does not sum buckets by le")
        exprs.append(expr)
for wanted in ("lmp_events_total", "lmp_events_lost_total", "lmp_runqlat_hists_usecs_bucket",
               "lmp_biolatency_hists_usecs_bucket", "lmp_syscount_counts_count",
               "process_resident_memory_bytes", "process_cpu_seconds_total"):
    check(wanted in metrics, f"no panel shows {wanted}")
check(any("histogram_quantile" in e for e in exprs), "no panel computes a quantile")
ok(f"dashboard: {len(ids)} panels, {len(exprs)} queries, all on lmp_/process_ metrics; "
   "heatmaps, quantiles, syscount, RSS and CPU")
with open(os.path.join(tmp, "exprs"), "w") as f:
    f.write("\n".join(exprs) + "\n")

# ---- the Dockerfile ----
path = os.path.join(deploy, "Dockerfile")
with open(path) as f:
    text = re.sub(r"\\\n", " ", f.read())  # continuation lines joined
lines = [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]
stages, stage_names = [], set()
for line in lines:
    word = line.split(None, 1)[0].upper()
    if word == "FROM":
        parts = line.split()
        image = parts[1]
        check(image in ("debian:12", "docker.io/library/debian:12") or image in stage_names,
              f"a stage is based on {image}, not debian:12")
        if len(parts) >= 4 and parts[2].upper() == "AS":
            stage_names.add(parts[3])
        stages.append([])
    else:
        check(stages, f"an instruction before FROM: {line}")
        stages[-1].append(line)
check(len(stages) >= 2, "the Dockerfile is not multi-stage")
build, runtime = " ".join(stages[0]), stages[-1]
check("scripts/setup.sh" in build, "the build stage does not run scripts/setup.sh")
check("-DCMAKE_BUILD_TYPE=Release" in build, "the build stage does not build Release")
check(re.search(r"cmake --install \S+ --prefix /usr/local", build), "the build stage does not install into /usr/local")
check(any(l.startswith("COPY") and "--from=" in l and "/usr/local" in l for l in runtime),
      "the runtime stage does not copy the installed tree")
entry = [l for l in runtime if l.upper().startswith("ENTRYPOINT")]
check(entry, "the runtime stage has no ENTRYPOINT")
try:
    entrypoint = json.loads(entry[-1].split(None, 1)[1])
except ValueError:
    fail(f"ENTRYPOINT is not in exec form: {entry[-1]}")
check(entrypoint == ["lmp"] or entrypoint[:1] in (["lmp"], ["/usr/local/bin/lmp"]),
      f"ENTRYPOINT is {entrypoint}, not lmp")
packages = []
for l in runtime:
    if l.startswith("RUN") and "apt-get install" in l:
        for command in re.split(r"&&|;", l):
            words = shlex.split(command.replace("RUN ", " ", 1))
            if words[:2] == ["apt-get", "install"]:
                packages += [w for w in words[2:] if not w.startswith("-")]
check(packages, "the runtime stage installs no packages")
check(not any(re.search(r"-dev$|^build-essential$|^clang|^cmake$", p) for p in packages),
      f"the runtime stage installs build tools: {packages}")
with open(os.path.join(tmp, "runtime-packages"), "w") as f:
    f.write("\n".join(packages) + "\n")
ok(f"Dockerfile: {len(stages)} stages on debian:12, setup.sh + Release build + install, "
   f"ENTRYPOINT {entrypoint}, {len(packages)} runtime packages")
PY

mapfile -t args <"$tmp/args"
mapfile -t packages <"$tmp/runtime-packages"

# ---- the runtime stage's packages: real Debian 12 names, covering what lmp loads ----
if command -v apt-cache >/dev/null && command -v dpkg >/dev/null; then
  known=$(apt-cache show --no-all-versions "${packages[@]}" 2>/dev/null | awk '/^Package: / { print $2 }' || true)
  if [ -z "$known" ]; then
    echo "skip: apt-cache knows no packages (no apt lists: apt-get update), package names not checked"
  else
    for p in "${packages[@]}"; do
      grep -qx -- "$p" <<<"$known" || fail "Dockerfile: no Debian package $p (apt-cache show)"
    done
  fi
  # The libraries lmp and lmp-hub link, and the two lmp opens with dlopen (libcurl for
  # downloads, libcrypto for digests); libc6 and libgcc-s1 are in debian:12 itself.
  ldd "$lmp" >"$tmp/ldd" 2>&1 || fail "ldd $lmp: $(cat "$tmp/ldd")"
  hub=$(dirname "$lmp")/lmp-hub
  if [ -x "$hub" ]; then
    ldd "$hub" >>"$tmp/ldd" 2>&1 || fail "ldd $hub: $(cat "$tmp/ldd")"
  else
    echo "note: no lmp-hub beside $lmp, its libraries are not checked"
  fi
  libs=$(awk '/=>/ { print $3 }' "$tmp/ldd")
  for so in libcurl.so.4 libcrypto.so.3; do
    libs+=$'\n'$({ ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | awk -v so="$so" '$1 == so { print $NF; exit }' || true)
  done
  # The package owning a file; dpkg may know it by its /usr-merged or its symlinked path.
  owner_of() {
    local real path
    real=$(readlink -f "$1")
    for path in "$1" "$real" "${1#/usr}" "${real#/usr}" "/usr${1#/usr}" "/usr${real#/usr}"; do
      dpkg -S "$path" 2>/dev/null | awk -F: 'NR == 1 { print $1 }' | grep . && return 0
    done
    return 1
  }
  while IFS= read -r lib; do
    [ -n "$lib" ] || continue
    owner=$(owner_of "$lib") || fail "no Debian package owns $lib"
    case " libc6 libgcc-s1 ${packages[*]} " in
      *" $owner "*) ;;
      *) fail "Dockerfile: the runtime stage lacks $owner (for $(basename "$lib"))" ;;
    esac
  done < <(sort -u <<<"$libs")
  echo "ok: the runtime stage's ${#packages[@]} packages exist in Debian and hold every library lmp and lmp-hub load"
else
  echo "skip: no apt-cache/dpkg, the runtime packages are not checked"
fi

# ---- promtool: the configurations and the dashboard's queries ----
if command -v promtool >/dev/null; then
  promtool check config "$deploy/prometheus/federation.yml" >"$tmp/out" 2>&1 ||
    fail "promtool check config federation.yml: $(cat "$tmp/out")"
  echo "ok: promtool check config deploy/prometheus/federation.yml"
  if promtool check config "$deploy/prometheus/prometheus.yml" >"$tmp/out" 2>&1; then
    echo "ok: promtool check config deploy/prometheus/prometheus.yml"
  else
    # Debian builds Prometheus without Kubernetes discovery (the package's NEWS.Debian, since
    # 1.5.0): when this promtool is such a build, every other part of the file is checked.
    printf 'scrape_configs:\n  - job_name: probe\n    kubernetes_sd_configs:\n      - role: pod\n' >"$tmp/probe.yml"
    if ! promtool check config "$tmp/probe.yml" >/dev/null 2>&1 &&
      grep -q "field kubernetes_sd_configs not found" "$tmp/out"; then
      promtool check config "$tmp/prometheus-static.yml" >"$tmp/out" 2>&1 ||
        fail "promtool check config prometheus.yml (Kubernetes discovery left out): $(cat "$tmp/out")"
      echo "ok: promtool check config deploy/prometheus/prometheus.yml, kubernetes_sd_configs" \
        "left out: this promtool ($(promtool --version 2>&1 | head -1 | awk '{print $3}')) is built" \
        "without Kubernetes discovery (Debian's is); the job's relabelling is checked"
    else
      fail "promtool check config prometheus.yml: $(cat "$tmp/out")"
    fi
  fi
  # Each query as a recording rule, Grafana's variables replaced by values.
  {
    echo "groups:"
    echo "  - name: dashboard"
    echo "    rules:"
    n=0
    while IFS= read -r expr; do
      expr=${expr//\$__rate_interval/1m}
      expr=${expr//\$cluster/.*}
      expr=${expr//\$job/lmp}
      expr=${expr//\$instance/.*}
      n=$((n + 1))
      printf '      - record: dashboard:query%d\n        expr: %s\n' "$n" \
        "$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$expr")"
    done <"$tmp/exprs"
  } >"$tmp/rules.yml"
  promtool check rules "$tmp/rules.yml" >"$tmp/out" 2>&1 ||
    fail "a dashboard query is not valid PromQL: $(cat "$tmp/out")"
  echo "ok: promtool parses the dashboard's $(wc -l <"$tmp/exprs") queries"
else
  cannot "promtool is not installed (Debian package prometheus): the Prometheus configurations and the dashboard's queries are not checked"
fi

# ---- the container's command line, run by this lmp ----
cmd=("$lmp" run --duration 0 "${args[@]:1}")
if [ "$(id -u)" -eq 0 ] && [ -e /sys/kernel/btf/vmlinux ]; then
  echo "running: lmp run --duration 0 ${args[*]:1}"
  export LMP_HOME=$tmp/home
  unset LMP_REPOSITORY
  if timeout 120 "${cmd[@]}" >"$tmp/run.out" 2>&1; then
    echo "ok: the DaemonSet's command line loads and attaches ($(grep -c . "$tmp/run.out" || true) lines of output)"
  else
    rc=$?
    tail -20 "$tmp/run.out"
    port=
    for i in "${!args[@]}"; do [ "${args[i]}" = --metrics ] && port=${args[i + 1]##*:}; done
    if [ -n "$port" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "note: something on this machine listens on port $port already"
    fi
    if grep -q "unknown option '--metrics'" "$tmp/run.out"; then
      fail "lmp run exits $rc: this lmp does not implement --metrics yet"
    fi
    if printf '%s\n' "${args[@]}" | grep -qx -- "--" && grep -q "unexpected argument" "$tmp/run.out"; then
      fail "lmp run exits $rc: this lmp does not take several packages separated by -- yet"
    fi
    fail "lmp run --duration 0 ${args[*]:1} exits $rc"
  fi
else
  cannot "eBPF unavailable (need root and /sys/kernel/btf/vmlinux): the DaemonSet's command line is not run"
fi
