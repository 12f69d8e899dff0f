//! State tracks: what an object's stored states say it was over time — a Pod's phase, the
//! Ready condition, a workload's Available and Progressing conditions, deletion in
//! progress — as segments a renderer can colour like a Gantt chart.
//!
//! Each state is dated by the write that produced it (else a dump's own time); a state
//! nothing dates is left out rather than placed at a guessed time. A segment lasts until
//! the next different value of its track, or the end the caller gives (the object's span).

use anyhow::Result;
use serde::Serialize;
use serde_json::Value;

use crate::query::rollout::states_in_order;
use crate::store::read::{Bodies, ObjectRow, RequestRow, StateRow};

/// Which state a track follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TrackName {
    /// A Pod's `status.phase`, with `Scheduled` for a Pending Pod bound to a node.
    Phase,
    /// The `Ready` condition (Pods, Nodes).
    Ready,
    /// The `Available` condition (Deployments).
    Available,
    /// The `Progressing` condition (Deployments): `False` with ProgressDeadlineExceeded is a
    /// stuck rollout.
    Progressing,
    /// From the delete request (or the first state with a `deletionTimestamp`) until the
    /// object was gone: finalizers and graceful termination at work.
    Deleting,
}

impl TrackName {
    pub fn name(self) -> &'static str {
        match self {
            TrackName::Phase => "phase",
            TrackName::Ready => "ready",
            TrackName::Available => "available",
            TrackName::Progressing => "progressing",
            TrackName::Deleting => "deleting",
        }
    }
}

/// A value a track held from `start_us` to `end_us`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    pub start_us: i64,
    pub end_us: i64,
    /// `Running`, `True`, `deleting`.
    pub value: String,
    /// The condition's reason (`ProgressDeadlineExceeded`, `MinimumReplicasUnavailable`).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Track {
    pub name: TrackName,
    pub segments: Vec<Segment>,
}

/// A track taking a value at a time: what the evidence shows, before segments are cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub time_us: i64,
    pub track: TrackName,
    pub value: String,
    pub reason: Option<String>,
}

/// Every dated change of state the object's requests and stored states show, in time order.
pub fn transitions(
    object: &ObjectRow,
    requests: &[RequestRow],
    states: &[StateRow],
    bodies: &mut Bodies,
) -> Result<Vec<Transition>> {
    let mut found = Vec::new();
    let is_pod = object.resource == "pods";
    for (state, at) in states_in_order(states, requests) {
        let Some(at) = at else { continue };
        let Ok(body) = bodies.json(state.body)? else { continue };
        read_state(&body, at, is_pod, &mut found);
    }
    for request in requests.iter().filter(|r| r.succeeded()) {
        if is_pod && request.subresource.as_deref() == Some("binding") {
            found.push(transition(request.received_us, TrackName::Phase, "Scheduled", None));
        }
        // A delete that left the object in place (finalizers, grace period) starts its
        // deletion; one that removed it at once shows as the end of the span.
        if request.verb == "delete"
            && request.subresource.is_none()
            && object.deleted_us.is_none_or(|gone| gone > request.completed_us)
        {
            found.push(transition(request.received_us, TrackName::Deleting, "deleting", None));
        }
    }
    // Stable: at one time, a state's values before a request's.
    found.sort_by_key(|t| t.time_us);
    Ok(found)
}

fn transition(time_us: i64, track: TrackName, value: &str, reason: Option<&str>) -> Transition {
    Transition { time_us, track, value: value.to_owned(), reason: reason.map(str::to_owned) }
}

fn read_state(body: &Value, at: i64, is_pod: bool, found: &mut Vec<Transition>) {
    if is_pod && let Some(phase) = body.pointer("/status/phase").and_then(Value::as_str) {
        let bound = body.pointer("/spec/nodeName").and_then(Value::as_str).is_some_and(|n| !n.is_empty());
        let phase = if phase == "Pending" && bound { "Scheduled" } else { phase };
        found.push(transition(at, TrackName::Phase, phase, None));
    }
    let conditions = body.pointer("/status/conditions").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    for condition in conditions {
        let track = match condition.get("type").and_then(Value::as_str) {
            Some("Ready") => TrackName::Ready,
            Some("Available") => TrackName::Available,
            Some("Progressing") => TrackName::Progressing,
            _ => continue,
        };
        let Some(status) = condition.get("status").and_then(Value::as_str) else { continue };
        let reason = condition.get("reason").and_then(Value::as_str).filter(|r| !r.is_empty());
        found.push(transition(at, track, status, reason));
    }
    if body.pointer("/metadata/deletionTimestamp").is_some_and(|t| !t.is_null()) {
        found.push(transition(at, TrackName::Deleting, "deleting", None));
    }
}

/// The tracks of an object shown from `start_us` to `end_us`: a value seen before the start
/// holds from the start; repeats of a value extend its segment; empty segments are left out.
pub fn segments(transitions: &[Transition], start_us: i64, end_us: i64) -> Vec<Track> {
    let mut tracks: Vec<Track> = Vec::new();
    for change in transitions {
        let at = change.time_us.clamp(start_us, end_us);
        let track = match tracks.iter_mut().find(|t| t.name == change.track) {
            Some(track) => track,
            None => {
                tracks.push(Track { name: change.track, segments: Vec::new() });
                tracks.last_mut().expect("just pushed")
            }
        };
        if let Some(last) = track.segments.last_mut() {
            if last.value == change.value && last.reason == change.reason {
                continue;
            }
            last.end_us = at;
        }
        track.segments.push(Segment {
            start_us: at,
            end_us: end_us.max(at),
            value: change.value.clone(),
            reason: change.reason.clone(),
        });
    }
    for track in &mut tracks {
        track.segments.retain(|s| s.end_us > s.start_us);
    }
    tracks.retain(|t| !t.segments.is_empty());
    tracks.sort_by_key(|t| t.name);
    tracks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(time_us: i64, track: TrackName, value: &str) -> Transition {
        transition(time_us, track, value, None)
    }

    #[test]
    fn segments_run_until_the_next_value_and_clip_to_the_span() {
        let changes = [
            change(5, TrackName::Phase, "Pending"),
            change(10, TrackName::Phase, "Scheduled"),
            change(12, TrackName::Ready, "False"),
            change(20, TrackName::Phase, "Running"),
            change(25, TrackName::Phase, "Running"),
            change(30, TrackName::Ready, "True"),
            change(99, TrackName::Deleting, "deleting"),
        ];
        let tracks = segments(&changes, 8, 40);
        type Shown<'a> = (TrackName, Vec<(i64, i64, &'a str)>);
        let shown: Vec<Shown> = tracks
            .iter()
            .map(|t| (t.name, t.segments.iter().map(|s| (s.start_us, s.end_us, s.value.as_str())).collect()))
            .collect();
        assert_eq!(
            shown,
            vec![
                (TrackName::Phase, vec![(8, 10, "Pending"), (10, 20, "Scheduled"), (20, 40, "Running")]),
                (TrackName::Ready, vec![(12, 30, "False"), (30, 40, "True")]),
            ]
        );
    }

    #[test]
    fn a_state_reads_as_phase_conditions_and_deletion() {
        let body = serde_json::json!({
            "metadata": {"deletionTimestamp": "2024-06-03T09:00:30Z"},
            "spec": {"nodeName": "node-1"},
            "status": {"phase": "Pending", "conditions": [
                {"type": "PodScheduled", "status": "True"},
                {"type": "Ready", "status": "False", "reason": "ContainersNotReady"},
            ]},
        });
        let mut found = Vec::new();
        read_state(&body, 7, true, &mut found);
        assert_eq!(
            found,
            vec![
                change(7, TrackName::Phase, "Scheduled"),
                transition(7, TrackName::Ready, "False", Some("ContainersNotReady")),
                change(7, TrackName::Deleting, "deleting"),
            ]
        );
    }
}
