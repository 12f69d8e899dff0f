#!/usr/bin/env python3
"""Writes the `rollout` fixture: Kelemetry's e2e deployment scenario, in small.

create web (2 replicas) -> scale to 3 -> set image (second ReplicaSet, rolling) ->
scale to 2 -> delete (the garbage collector removes ReplicaSets and Pods).

testdata/rollout/audit.log     RequestResponse audit events (what a full-level policy writes)
../rollout-metadata/audit.log
              the same requests at Metadata level: no bodies, so no ownerReferences
events.jsonl  core/v1 Events, one line per version (count bumps are separate lines);
              the scheduler's Events carry only eventTime, as in a real cluster

Run from the repository root: `python3 scripts/rollout-fixture.py`. The output is
committed; the script documents how it was made.
"""
import copy
import json

NS = "demo"
BASE = 1717405200  # 2024-06-03T09:00:00Z
audit, metadata, events = [], [], []
rv = [1000]
ids = [0]
event_ids = [0]


def ts(t):
    secs = int(t)
    micros = round((t - secs) * 1e6)
    hms = BASE + secs
    day = hms // 86400
    rem = hms % 86400
    assert day == 19877  # 2024-06-03
    return "2024-06-03T%02d:%02d:%02d.%06dZ" % (rem // 3600, rem % 3600 // 60, rem % 60, micros)


def ts_s(t):
    return ts(t)[:19] + "Z"


def next_rv():
    rv[0] += 1
    return str(rv[0])


USERS = {
    "alice": ("alice", "kubectl/v1.30.1 (linux/amd64) kubernetes/6911225", "192.168.7.15"),
    "deploy": (
        "system:serviceaccount:kube-system:deployment-controller",
        "kube-controller-manager/v1.30.1 (linux/amd64) kubernetes/6911225/system:serviceaccount:kube-system:deployment-controller",
        "10.0.0.2",
    ),
    "rs": (
        "system:serviceaccount:kube-system:replicaset-controller",
        "kube-controller-manager/v1.30.1 (linux/amd64) kubernetes/6911225/system:serviceaccount:kube-system:replicaset-controller",
        "10.0.0.2",
    ),
    "gc": (
        "system:serviceaccount:kube-system:generic-garbage-collector",
        "kube-controller-manager/v1.30.1 (linux/amd64) kubernetes/6911225/system:serviceaccount:kube-system:generic-garbage-collector",
        "10.0.0.2",
    ),
    "scheduler": ("system:kube-scheduler", "kube-scheduler/v1.30.1 (linux/amd64) kubernetes/6911225/scheduler", "10.0.0.2"),
}


def kubelet(node):
    return ("system:node:" + node, "kubelet/v1.30.1 (linux/amd64) kubernetes/6911225", "10.0.1." + node[-1])


RESOURCES = {"Deployment": ("apps", "deployments"), "ReplicaSet": ("apps", "replicasets"), "Pod": ("", "pods")}


def uri(kind, name=None, sub=None):
    group, resource = RESOURCES[kind]
    path = "/apis/apps/v1" if group else "/api/v1"
    path += "/namespaces/%s/%s" % (NS, resource)
    if name:
        path += "/" + name
    if sub:
        path += "/" + sub
    return path


def request(t, who, verb, kind, name, sub=None, req=None, resp=None, code=200, reason=None, message=None,
            latency=0.004, base_rv=None):
    user, agent, ip = USERS[who] if isinstance(who, str) else who
    ids[0] += 1
    group, resource = RESOURCES[kind]
    ref = {"resource": resource, "namespace": NS, "name": name, "apiGroup": group, "apiVersion": "v1"}
    if group == "":
        del ref["apiGroup"]
    if sub:
        ref["subresource"] = sub
    if verb == "create" and not sub:
        del ref["name"]
    if base_rv:
        ref["resourceVersion"] = base_rv
    status = {"metadata": {}, "code": code}
    if code >= 300:
        status.update({"status": "Failure", "reason": reason, "message": message})
    event = {
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
        "auditID": "b0000000-0000-4000-8000-%012d" % ids[0], "stage": "ResponseComplete",
        "requestURI": uri(kind, None if verb == "create" and not sub else name, sub), "verb": verb,
        "user": {"username": user, "groups": ["system:authenticated"]}, "sourceIPs": [ip], "userAgent": agent,
        "objectRef": ref, "responseStatus": status,
        "requestReceivedTimestamp": ts(t), "stageTimestamp": ts(t + latency),
        "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""},
    }
    meta = copy.deepcopy(event)
    meta["level"] = "Metadata"
    if verb == "create" and not sub:
        # The apiserver fills objectRef.name of a create from the decoded body at every level.
        meta["objectRef"]["name"] = name
        event["objectRef"]["name"] = name
    if req is not None:
        event["requestObject"] = req
    if resp is not None:
        event["responseObject"] = resp
    audit.append(event)
    metadata.append(meta)


objects = {}


def managed(t, manager):
    return [{"manager": manager, "operation": "Update", "apiVersion": "v1", "time": ts_s(t),
             "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {}}}]


def create(t, who, kind, name, body, owner=None):
    ids_uid = "f0000000-0000-4000-8000-%012d" % (len(objects) + 1)
    group, _ = RESOURCES[kind]
    obj = {"kind": kind, "apiVersion": (group + "/v1") if group else "v1",
           "metadata": {"name": name, "namespace": NS, "uid": ids_uid, "resourceVersion": "",
                        "generation": 1, "creationTimestamp": ts_s(t), "labels": {"app": "web"},
                        "managedFields": managed(t, who)}}
    if owner:
        o = objects[owner]
        obj["metadata"]["ownerReferences"] = [{"apiVersion": o["apiVersion"], "kind": o["kind"],
                                               "name": o["metadata"]["name"], "uid": o["metadata"]["uid"],
                                               "controller": True, "blockOwnerDeletion": True}]
    if kind == "Pod":
        del obj["metadata"]["generation"]
    obj.update(copy.deepcopy(body))
    req = copy.deepcopy(obj)
    req["metadata"]["resourceVersion"] = ""
    del req["metadata"]["uid"]
    obj["metadata"]["resourceVersion"] = next_rv()
    objects[name] = obj
    request(t, who, "create", kind, name, req=req, resp=copy.deepcopy(obj), code=201)
    return obj


def write(t, who, verb, name, change, sub=None, spec_change=False, patch=None):
    obj = objects[name]
    base = obj["metadata"]["resourceVersion"]
    change(obj)
    if spec_change and "generation" in obj["metadata"]:
        obj["metadata"]["generation"] += 1
    obj["metadata"]["resourceVersion"] = next_rv()
    req = patch if verb == "patch" else copy.deepcopy(obj)
    if verb != "patch":
        req["metadata"]["resourceVersion"] = base
    request(t, who, verb, obj["kind"], name, sub=sub, req=req, resp=copy.deepcopy(obj),
            base_rv=base if verb == "update" else None)


def conflict(t, who, name, stale_rv, sub=None):
    obj = objects[name]
    req = copy.deepcopy(obj)
    req["metadata"]["resourceVersion"] = stale_rv
    group, resource = RESOURCES[obj["kind"]]
    request(t, who, "update", obj["kind"], name, sub=sub, req=req, code=409, reason="Conflict", base_rv=stale_rv,
            message='Operation cannot be fulfilled on %s%s "%s": the object has been modified; please apply your '
                    "changes to the latest version and try again" % (resource, "." + group if group else "", name))


def delete(t, who, name, graceful=False):
    obj = objects[name]
    if graceful:
        obj["metadata"]["deletionTimestamp"] = ts_s(t + 30)
        obj["metadata"]["deletionGracePeriodSeconds"] = 30
    else:
        obj["metadata"]["deletionTimestamp"] = ts_s(t)
        obj["metadata"]["deletionGracePeriodSeconds"] = 0
    obj["metadata"]["resourceVersion"] = next_rv()
    request(t, who, "delete", obj["kind"], name,
            req={"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"},
            resp=copy.deepcopy(obj))


def bind(t, pod, node):
    body = {"kind": "Binding", "apiVersion": "v1", "metadata": {"name": pod, "namespace": NS,
                                                              "uid": objects[pod]["metadata"]["uid"]},
            "target": {"kind": "Node", "name": node}}
    request(t, "scheduler", "create", "Pod", pod, sub="binding", req=body,
            resp={"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}, code=201)
    objects[pod]["spec"]["nodeName"] = node
    objects[pod]["metadata"]["resourceVersion"] = next_rv()


def event(t, obj_name, reason, message, source, host=None, etype="Normal", count=1, first=None, uid=None,
          scheduler=False):
    o = objects[obj_name]
    if uid is None:
        event_ids[0] += 1
        uid = "e0000000-0000-4000-8000-%012d" % event_ids[0]
    ev = {"apiVersion": "v1", "kind": "Event",
          "metadata": {"name": "%s.%x" % (obj_name, 0x17d5a0000000000 + int(uid[-4:])), "namespace": NS, "uid": uid,
                       "resourceVersion": next_rv(), "creationTimestamp": ts_s(first if first is not None else t)},
          "involvedObject": {"apiVersion": o["apiVersion"], "kind": o["kind"], "name": obj_name, "namespace": NS,
                             "uid": o["metadata"]["uid"], "resourceVersion": o["metadata"]["resourceVersion"]},
          "reason": reason, "message": message, "type": etype}
    if scheduler:
        # The scheduler reports through events.k8s.io/v1: as core/v1 only eventTime is set.
        ev.update({"source": {}, "firstTimestamp": None, "lastTimestamp": None, "count": 0,
                   "eventTime": ts(t), "action": "Binding", "reportingComponent": "default-scheduler",
                   "reportingInstance": "default-scheduler-control-plane"})
    else:
        ev.update({"source": {"component": source, **({"host": host} if host else {})},
                   "firstTimestamp": ts_s(first if first is not None else t), "lastTimestamp": ts_s(t),
                   "count": count, "eventTime": None, "reportingComponent": source,
                   "reportingInstance": host or ""})
    events.append(ev)
    return uid


def deployment_status(t, **fields):
    def change(o):
        o.setdefault("status", {}).update(fields)
        o["status"]["observedGeneration"] = o["metadata"]["generation"]
    write(t, "deploy", "update", "web", change, sub="status")


def rs_spec(t, name, replicas):
    def change(o):
        o["spec"]["replicas"] = replicas
        o["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/desired-replicas"] = str(replicas)
    write(t, "deploy", "update", name, change, spec_change=True)


def rs_status(t, name, replicas, ready):
    def change(o):
        o["status"] = {"replicas": replicas, "readyReplicas": ready, "availableReplicas": ready,
                       "observedGeneration": o["metadata"]["generation"]}
    write(t, "rs", "update", name, change, sub="status")


def template(image):
    return {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": image}]}}


def start_pod(t, rs, name, node, image):
    create(t, "rs", "Pod", name, {"spec": {"containers": [{"name": "web", "image": image}]},
                                  "status": {"phase": "Pending"}}, owner=rs)
    event(t + 0.001, rs, "SuccessfulCreate", "Created pod: " + name, "replicaset-controller")
    bind(t + 0.05, name, node)
    event(t + 0.051, name, "Scheduled", "Successfully assigned %s/%s to %s" % (NS, name, node), None, scheduler=True)
    event(t + 0.9, name, "Pulled", 'Container image "%s" already present on machine' % image, "kubelet", node)
    event(t + 1.0, name, "Started", "Started container web", "kubelet", node)

    def running(o):
        o["status"] = {"phase": "Running", "podIP": "10.244.%s.%d" % (node[-1], len(objects)),
                       "conditions": [{"type": "Ready", "status": "True"}]}
    write(t + 1.2, kubelet(node), "patch", name, running, sub="status",
          patch={"status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}})


def stop_pod(t, rs, name, node):
    delete(t, "rs", name, graceful=True)
    event(t + 0.001, rs, "SuccessfulDelete", "Deleted pod: " + name, "replicaset-controller")
    event(t + 0.01, name, "Killing", "Stopping container web", "kubelet", node)


# 09:00:00 alice creates the Deployment with 2 replicas of nginx:1.25
dep = create(0.0, "alice", "Deployment", "web",
             {"spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": template("nginx:1.25")}})
old = "web-5d9c7b8f4"
create(0.05, "deploy", "ReplicaSet", old,
       {"spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": template("nginx:1.25")}},
       owner="web")
event(0.051, "web", "ScalingReplicaSet", "Scaled up replica set %s to 2" % old, "deployment-controller")
deployment_status(0.08, replicas=0)
start_pod(0.12, old, "web-5d9c7b8f4-x2kqz", "node-1", "nginx:1.25")
start_pod(0.13, old, "web-5d9c7b8f4-q8wzn", "node-2", "nginx:1.25")
rs_status(1.5, old, 2, 2)
conflict(1.6, "deploy", "web", objects["web"]["metadata"]["resourceVersion"], sub="status")
deployment_status(1.61, replicas=2, readyReplicas=2, availableReplicas=2)

# 09:00:59 alice looks (a read: hidden unless --all)
request(59.0, "alice", "get", "Deployment", "web", resp=copy.deepcopy(objects["web"]), latency=0.002)

# 09:01:00 alice scales to 3: observedGeneration 1 -> 2
write(60.0, "alice", "patch", "web", lambda o: o["spec"].update(replicas=3), spec_change=True,
      patch={"spec": {"replicas": 3}})
rs_spec(60.05, old, 3)
event(60.051, "web", "ScalingReplicaSet", "Scaled up replica set %s to 3" % old, "deployment-controller")
start_pod(60.1, old, "web-5d9c7b8f4-r7tvm", "node-1", "nginx:1.25")
# the image pull of r7tvm first backs off: one Warning Event, its count bumped
backoff = event(60.5, "web-5d9c7b8f4-r7tvm", "BackOff", "Back-off pulling image \"nginx:1.25\"", "kubelet", "node-1",
                etype="Warning")
event(60.8, "web-5d9c7b8f4-r7tvm", "BackOff", "Back-off pulling image \"nginx:1.25\"", "kubelet", "node-1",
      etype="Warning", count=2, first=60.5, uid=backoff)
rs_status(61.5, old, 3, 3)
deployment_status(61.6, replicas=3, readyReplicas=3, availableReplicas=3)

# 09:02:00 alice sets the image nginx:1.26: a second ReplicaSet takes over
write(120.0, "alice", "patch", "web",
      lambda o: o["spec"]["template"]["spec"]["containers"][0].update(image="nginx:1.26"), spec_change=True,
      patch={"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.26"}]}}}})
new = "web-6c8f9d7b5"
create(120.05, "deploy", "ReplicaSet", new,
       {"spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": template("nginx:1.26")}},
       owner="web")
event(120.051, "web", "ScalingReplicaSet", "Scaled up replica set %s to 3" % new, "deployment-controller")
start_pod(120.1, new, "web-6c8f9d7b5-k4hbn", "node-2", "nginx:1.26")
start_pod(120.11, new, "web-6c8f9d7b5-p9cxd", "node-1", "nginx:1.26")
start_pod(120.12, new, "web-6c8f9d7b5-m5wzs", "node-2", "nginx:1.26")
rs_status(121.5, new, 3, 3)
rs_spec(121.6, old, 0)
event(121.601, "web", "ScalingReplicaSet", "Scaled down replica set %s to 0 from 3" % old, "deployment-controller")
stop_pod(121.7, old, "web-5d9c7b8f4-x2kqz", "node-1")
stop_pod(121.71, old, "web-5d9c7b8f4-q8wzn", "node-2")
stop_pod(121.72, old, "web-5d9c7b8f4-r7tvm", "node-1")
rs_status(122.0, old, 0, 0)
deployment_status(122.1, replicas=3, readyReplicas=3, availableReplicas=3, updatedReplicas=3)

# 09:03:00 alice scales down to 2
write(180.0, "alice", "patch", "web", lambda o: o["spec"].update(replicas=2), spec_change=True,
      patch={"spec": {"replicas": 2}})
rs_spec(180.05, new, 2)
event(180.051, "web", "ScalingReplicaSet", "Scaled down replica set %s to 2 from 3" % new, "deployment-controller")
stop_pod(180.1, new, "web-6c8f9d7b5-m5wzs", "node-2")
rs_status(180.5, new, 2, 2)
deployment_status(180.6, replicas=2, readyReplicas=2, availableReplicas=2, updatedReplicas=2)

# 09:04:00 alice deletes the Deployment; the garbage collector removes what it owned
delete(240.0, "alice", "web")
delete(240.2, "gc", new)
delete(240.21, "gc", old)
delete(240.4, "gc", "web-6c8f9d7b5-k4hbn", graceful=True)
delete(240.41, "gc", "web-6c8f9d7b5-p9cxd", graceful=True)

with open("testdata/rollout/audit.log", "w") as f:
    for e in audit:
        f.write(json.dumps(e, separators=(",", ":")) + "\n")
with open("testdata/rollout-metadata/audit.log", "w") as f:
    for e in metadata:
        f.write(json.dumps(e, separators=(",", ":")) + "\n")
with open("testdata/rollout/events.jsonl", "w") as f:
    for e in events:
        f.write(json.dumps(e, separators=(",", ":")) + "\n")
print(len(audit), "requests,", len(events), "event versions")
