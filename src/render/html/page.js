// The viewer of kelemetry-cli's HTML pages. The data is the trace JSON of docs/trace-json.md
// in the `tree` arrangement; this script arranges it as tracing, tree, timeline or grouping,
// draws only the rows in view (a trace may hold tens of thousands of spans), and never
// fetches anything.
'use strict';
(function () {
  let data = null; // the page's data, once unpacked
  const ROW = 22;
  const PIPELINES = ['tracing', 'tree', 'timeline', 'grouping'];
  const WORST = { ok: 0, warning: 1, error: 2 };
  const COLORS = {
    phase: { Pending: '#c8ccd1', Scheduled: '#9ecae1', Running: '#41ab5d', Succeeded: '#3182bd', Failed: '#de2d26',
      Unknown: '#9e9ac8' },
    ready: { True: '#a1d99b', False: '#fd8d3c', Unknown: '#bdbdbd' },
    available: { True: '#a1d99b', False: '#fd8d3c', Unknown: '#bdbdbd' },
    progressing: { True: '#6baed6', False: '#fd8d3c', Unknown: '#bdbdbd' },
    deleting: { deleting: '#756bb1' },
  };
  const STUCK = '#de2d26';

  function node(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function pad(n, w) { return String(n).padStart(w || 2, '0'); }

  // Times are UTC, as everywhere in kelemetry-cli.
  function clock(us, withMillis) {
    const d = new Date(Math.floor(us / 1000));
    const t = pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds());
    return withMillis ? t + '.' + pad(d.getUTCMilliseconds(), 3) : t;
  }

  function day(us) {
    const d = new Date(Math.floor(us / 1000));
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate());
  }

  function stamp(us) { return us === null || us === undefined ? 'unknown' : day(us) + ' ' + clock(us, true) + ' UTC'; }

  function duration(us) {
    if (us < 1000) return us + 'µs';
    if (us < 1e6) return (us / 1000).toFixed(us < 1e4 ? 1 : 0) + 'ms';
    const s = us / 1e6;
    if (s < 60) return s.toFixed(s < 10 ? 2 : 1) + 's';
    const m = Math.floor(s / 60);
    if (m < 60) return m + 'm' + pad(Math.round(s % 60)) + 's';
    const h = Math.floor(m / 60);
    return h + 'h' + pad(m % 60) + 'm';
  }

  function tagText(span, key) { const v = span.tags[key]; return v === undefined ? '' : String(v); }

  function segmentColor(track, segment) {
    if (track === 'progressing' && segment.reason === 'ProgressDeadlineExceeded') return STUCK;
    return (COLORS[track] || {})[segment.value] || '#bdbdbd';
  }

  // ---- The model: objects with their entries and owned objects, from the tree arrangement.

  function model(trace) {
    const byId = new Map();
    const spans = trace.spans || [];
    for (const s of spans) {
      s.children = [];
      s.entries = [];
      s.known = s.startUs !== null && s.startUs !== undefined;
      s.endUs = s.known ? s.startUs + s.durationUs : null;
      byId.set(s.id, s);
    }
    let root = null;
    for (const s of spans) {
      const parent = s.parent ? byId.get(s.parent) : null;
      if (s.kind === 'object') {
        if (parent) parent.children.push(s); else if (!root) root = s;
      } else if (parent) {
        parent.entries.push(s);
      }
    }
    const known = spans.filter(s => s.known);
    const start = known.length ? Math.min.apply(null, known.map(s => s.startUs)) : 0;
    const end = known.length ? Math.max.apply(null, known.map(s => s.endUs)) : 1;
    for (const s of spans) {
      const words = [s.name, s.object, s.status];
      for (const k in s.tags) words.push(k + '=' + s.tags[k]);
      for (const l of s.logs) words.push(l.lines.join('\n'));
      s.text = words.join('\n').toLowerCase();
    }
    return { trace, root, byId, start, end: Math.max(end, start + 1), spans };
  }

  // A filter: words that must all match. `key:value` looks at one field (user, verb, code,
  // reason, type, status, kind, object); anything else at all of a span's text.
  function parseFilter(text) {
    const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return null;
    const fields = {
      user: s => [tagText(s, 'username'), tagText(s, 'component'), tagText(s, 'impersonatedUser'), tagText(s, 'source')],
      verb: s => [tagText(s, 'verb')],
      code: s => [tagText(s, 'responseCode')],
      reason: s => [tagText(s, 'reason'), tagText(s, 'responseReason')],
      type: s => [tagText(s, 'type')],
      status: s => [s.status],
      kind: s => [s.kind],
      object: s => [s.object],
    };
    const tests = words.map(word => {
      const colon = word.indexOf(':');
      const field = colon > 0 ? fields[word.slice(0, colon)] : null;
      if (field) {
        const want = word.slice(colon + 1);
        return s => field(s).some(v => v.toLowerCase().indexOf(want) >= 0);
      }
      return s => s.text.indexOf(word) >= 0;
    });
    return s => tests.every(t => t(s));
  }

  // ---- Rows: what each arrangement shows, as a flat list of the expanded rows.

  function component(entry) { return tagText(entry, 'component') || tagText(entry, 'username') || 'unknown'; }

  function arrange(m, pipeline, collapsed, keep) {
    const rows = [];
    if (!m.root) return rows;
    const entriesOf = o => keep ? o.entries.filter(keep) : o.entries;
    if (pipeline === 'timeline') {
      const all = [];
      (function collect(o) { all.push.apply(all, entriesOf(o)); o.children.forEach(collect); })(m.root);
      all.sort((a, b) => a.startUs - b.startUs);
      rows.push({ type: 'object', span: m.root, depth: 0, id: m.root.id, parent: true, markers: [] });
      if (!collapsed.has(m.root.id)) {
        for (const e of all) rows.push({ type: 'entry', span: e, depth: 1, id: e.id, labelled: true });
      }
      return rows;
    }
    (function visit(o, depth) {
      const entries = entriesOf(o);
      const row = { type: 'object', span: o, depth, id: o.id, markers: [], dimmed: keep && !entries.length };
      rows.push(row);
      if (pipeline === 'tracing') {
        row.markers = entries;
        row.parent = o.children.length > 0;
        if (!collapsed.has(o.id)) o.children.forEach(c => visit(c, depth + 1));
      } else if (pipeline === 'tree') {
        row.parent = entries.length + o.children.length > 0;
        if (collapsed.has(o.id)) return;
        const items = entries.map(e => ({ at: e.startUs, entry: e }))
          .concat(o.children.map(c => ({ at: c.known ? c.startUs : m.start, child: c })));
        items.sort((a, b) => a.at - b.at || (a.entry ? -1 : 1) - (b.entry ? -1 : 1));
        for (const item of items) {
          if (item.entry) rows.push({ type: 'entry', span: item.entry, depth: depth + 1, id: item.entry.id });
          else visit(item.child, depth + 1);
        }
      } else {
        row.parent = entries.length + o.children.length > 0;
        if (collapsed.has(o.id)) return;
        const audit = entries.filter(e => e.kind === 'audit');
        const events = entries.filter(e => e.kind === 'event');
        if (audit.length) {
          const key = o.id + '/audit';
          rows.push({ type: 'group', name: 'audit', depth: depth + 1, id: key, markers: audit, parent: true });
          if (!collapsed.has(key)) {
            const byComponent = new Map();
            for (const e of audit) {
              const c = component(e);
              if (!byComponent.has(c)) byComponent.set(c, []);
              byComponent.get(c).push(e);
            }
            for (const [c, list] of byComponent) {
              rows.push({ type: 'group', name: c, depth: depth + 2, id: key + '/' + c, markers: list });
            }
          }
        }
        if (events.length) {
          rows.push({ type: 'group', name: 'events', depth: depth + 1, id: o.id + '/events', markers: events });
        }
        o.children.forEach(c => visit(c, depth + 1));
      }
    })(m.root, 0);
    return rows;
  }

  // ---- The viewer: a time axis, the rows in view, and a details panel.

  function Viewer(container, details) {
    this.container = container;
    this.details = details;
    this.collapsed = new Set();
    this.pipeline = PIPELINES.indexOf(data.pipeline) >= 0 ? data.pipeline : 'tracing';
    this.keep = null;
    this.selected = null;
    this.rows = [];
    this.onchange = () => {};

    const axis = node('div', 'axis');
    axis.appendChild(node('div', 'corner', 'object'));
    this.ticks = node('div', 'ticks');
    axis.appendChild(this.ticks);
    this.scroller = node('div', 'rows');
    this.spacer = node('div', 'spacer');
    this.scroller.appendChild(this.spacer);
    container.appendChild(axis);
    container.appendChild(this.scroller);
    this.scroller.addEventListener('scroll', () => this.draw());
    window.addEventListener('resize', () => this.draw());
    this.listen();
  }

  Viewer.prototype.load = function (trace) {
    this.m = model(trace);
    this.collapsed = new Set();
    this.selected = null;
    this.fit();
    this.rearrange();
    this.show(null);
  };

  Viewer.prototype.fit = function () {
    const span = this.m.end - this.m.start;
    this.v0 = this.m.start - span * 0.01;
    this.v1 = this.m.end + span * 0.01;
  };

  Viewer.prototype.rearrange = function () {
    this.rows = arrange(this.m, this.pipeline, this.collapsed, this.keep);
    this.spacer.style.height = this.rows.length * ROW + 'px';
    this.draw();
    this.onchange();
  };

  Viewer.prototype.laneWidth = function () { return Math.max(50, this.ticks.clientWidth); };

  Viewer.prototype.x = function (us, width) { return (us - this.v0) / (this.v1 - this.v0) * width; };

  Viewer.prototype.zoom = function (factor, at) {
    const anchor = at === undefined ? (this.v0 + this.v1) / 2 : at;
    const min = 1000; // 1 ms across the whole lane at most
    const span = Math.max(min, (this.v1 - this.v0) * factor);
    const ratio = (anchor - this.v0) / (this.v1 - this.v0);
    this.v0 = anchor - span * ratio;
    this.v1 = this.v0 + span;
    this.draw();
  };

  Viewer.prototype.pan = function (pixels) {
    const shift = pixels / this.laneWidth() * (this.v1 - this.v0);
    this.v0 -= shift;
    this.v1 -= shift;
    this.draw();
  };

  Viewer.prototype.drawAxis = function (width) {
    this.ticks.textContent = '';
    const steps = [1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7, 15e6, 3e7, 6e7, 12e7, 3e8, 6e8, 9e8,
      18e8, 36e8, 72e8, 108e8, 216e8, 432e8, 864e8, 1728e8, 6048e8];
    const perUs = width / (this.v1 - this.v0);
    const step = steps.find(s => s * perUs >= 90) || steps[steps.length - 1];
    const millis = step < 1e6;
    let lastDay = null;
    for (let t = Math.ceil(this.v0 / step) * step; t <= this.v1; t += step) {
      const d = day(t);
      const label = (d !== lastDay ? d + ' ' : '') + clock(t, millis);
      lastDay = d;
      const tick = node('div', 'tick', label);
      tick.style.left = this.x(t, width) + 'px';
      this.ticks.appendChild(tick);
    }
  };

  Viewer.prototype.draw = function () {
    if (!this.m) return;
    const width = this.laneWidth();
    this.drawAxis(width);
    const top = this.scroller.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW) - 5);
    const last = Math.min(this.rows.length, Math.ceil((top + this.scroller.clientHeight) / ROW) + 5);
    const fragment = document.createDocumentFragment();
    for (let i = first; i < last; i++) fragment.appendChild(this.drawRow(this.rows[i], i, width));
    this.spacer.textContent = '';
    this.spacer.appendChild(fragment);
  };

  Viewer.prototype.drawRow = function (row, index, width) {
    const div = node('div', 'row');
    div.style.top = index * ROW + 'px';
    div.dataset.index = index;
    div.dataset.kind = row.type;
    div.dataset.id = row.id;
    const span = row.span;
    if (span && span.focus) div.classList.add('focus');
    if (row.dimmed) div.classList.add('dimmed');
    if (this.selected && span && this.selected === span) div.classList.add('selected');
    const label = node('div', 'label');
    label.style.paddingLeft = row.depth * 14 + 'px';
    const twisty = node('span', 'twisty', row.parent ? (this.collapsed.has(row.id) ? '▸' : '▾') : '');
    label.appendChild(twisty);
    if (row.type === 'object') {
      const slash = span.object.indexOf('/');
      label.appendChild(node('span', 'kind', span.object.slice(0, slash)));
      label.appendChild(document.createTextNode(span.object.slice(slash + 1)));
      label.title = span.name;
    } else if (row.type === 'entry') {
      label.appendChild(node('span', 'kind', span.kind === 'event' ? 'event' : tagText(span, 'verb') || 'request'));
      label.appendChild(document.createTextNode((row.labelled ? span.object + ': ' : '') + span.name));
      label.title = span.name;
      if (span.status !== 'ok') label.classList.add(span.status);
    } else {
      label.appendChild(document.createTextNode(row.name + ' (' + row.markers.length + ')'));
    }
    div.appendChild(label);
    const lane = node('div', 'lane');
    if (row.type === 'object') this.drawObject(lane, span, width);
    if (row.type === 'entry') this.drawEntry(lane, span, width);
    if (row.markers && row.markers.length) this.drawMarkers(lane, row.markers, width);
    div.appendChild(lane);
    return div;
  };

  Viewer.prototype.place = function (element, from, to, width) {
    const x0 = Math.max(-10, this.x(from, width));
    const x1 = Math.min(width + 10, this.x(to, width));
    element.style.left = x0 + 'px';
    element.style.width = Math.max(0, x1 - x0) + 'px';
    return x1 >= -10 && x0 <= width + 10;
  };

  Viewer.prototype.drawObject = function (lane, span, width) {
    const bar = node('div', 'bar');
    if (!span.known) {
      bar.classList.add('unknown');
      bar.style.left = '0px';
      bar.style.width = '60px';
      bar.title = 'nothing dates this object: time unknown';
      lane.appendChild(bar);
      return;
    }
    if (!this.place(bar, span.startUs, span.endUs, width)) return;
    bar.title = span.name + '\n' + stamp(span.startUs) + ' → ' + stamp(span.endUs) + ' (' + duration(span.durationUs) + ')';
    const tracks = span.tracks || [];
    const barLeft = this.x(span.startUs, width);
    // The first track (a Pod's phase) gets most of the bar; the others share the rest.
    const first = tracks.length > 1 ? 9 : 16;
    const rest = tracks.length > 1 ? (16 - first) / (tracks.length - 1) : 0;
    tracks.forEach((track, i) => {
      const strip = node('div', 'strip');
      strip.style.top = (i === 0 ? 0 : first + (i - 1) * rest) + 'px';
      strip.style.height = (i === 0 ? first : rest) - (i < tracks.length - 1 ? 1 : 0) + 'px';
      for (const s of track.segments) {
        const seg = node('div', 'seg');
        const x0 = Math.max(-10, this.x(s.startUs, width));
        const x1 = Math.min(width + 10, this.x(s.startUs + s.durationUs, width));
        if (x1 < 0 || x0 > width) continue;
        seg.style.left = x0 - Math.max(-10, barLeft) + 'px';
        seg.style.width = Math.max(1, x1 - x0) + 'px';
        seg.style.background = segmentColor(track.name, s);
        seg.title = track.name + ': ' + s.value + (s.reason ? ' (' + s.reason + ')' : '') + '\n' + stamp(s.startUs) +
          ' → ' + stamp(s.startUs + s.durationUs) + ' (' + duration(s.durationUs) + ')';
        strip.appendChild(seg);
      }
      bar.appendChild(strip);
    });
    lane.appendChild(bar);
  };

  Viewer.prototype.drawEntry = function (lane, span, width) {
    const bar = node('div', 'entrybar ' + span.status + (span.kind === 'event' ? ' event' : ''));
    if (span.kind === 'event') {
      const x = this.x(span.startUs, width);
      if (x < -10 || x > width + 10) return;
      bar.style.left = x + 'px';
    } else if (!this.place(bar, span.startUs, span.endUs, width)) {
      return;
    }
    bar.dataset.id = span.id;
    bar.title = hover(span);
    lane.appendChild(bar);
  };

  // One marker per pixel column: the worst of the entries there, with their count.
  Viewer.prototype.drawMarkers = function (lane, entries, width) {
    const columns = new Map();
    for (const e of entries) {
      const x = Math.round(this.x(e.startUs, width));
      if (x < -3 || x > width + 3) continue;
      const key = x * 2 + (e.kind === 'event' ? 1 : 0);
      const seen = columns.get(key);
      if (!seen) columns.set(key, { x, first: e, worst: e, n: 1 });
      else {
        seen.n++;
        if (WORST[e.status] > WORST[seen.worst.status]) seen.worst = e;
      }
    }
    for (const c of columns.values()) {
      const e = c.worst;
      const mark = node('div', 'mark ' + e.kind + ' ' + e.status);
      if (this.selected === e) mark.classList.add('selected');
      mark.style.left = c.x + 'px';
      mark.dataset.id = e.id;
      mark.title = hover(e) + (c.n > 1 ? '\n(' + c.n + ' here: zoom in to tell them apart)' : '');
      lane.appendChild(mark);
    }
  };

  function hover(span) {
    const lines = [span.object + ': ' + span.name, stamp(span.startUs)];
    if (span.kind === 'audit') {
      lines.push([tagText(span, 'username'), tagText(span, 'verb'), tagText(span, 'responseCode')].filter(Boolean).join(' '));
    } else {
      const count = tagText(span, 'count');
      if (count) lines.push('count ' + count);
    }
    for (const l of span.logs) lines.push(l.lines.slice(0, 3).join('\n'));
    return lines.join('\n');
  }

  Viewer.prototype.listen = function () {
    let drag = null;
    const down = ev => {
      if (ev.button !== 0) return;
      drag = { x: ev.clientX, moved: false, target: ev.target };
    };
    const move = ev => {
      if (!drag) return;
      const dx = ev.clientX - drag.x;
      if (Math.abs(dx) > 3 || drag.moved) {
        drag.moved = true;
        this.scroller.classList.add('dragging');
        this.pan(dx);
        drag.x = ev.clientX;
      }
    };
    const up = ev => {
      if (!drag) return;
      const click = !drag.moved;
      drag = null;
      this.scroller.classList.remove('dragging');
      if (click) this.click(ev.target);
    };
    this.scroller.addEventListener('mousedown', down);
    this.ticks.addEventListener('mousedown', down);
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
    const wheel = ev => {
      const rect = this.ticks.getBoundingClientRect();
      const inLanes = ev.clientX >= rect.left;
      if (ev.ctrlKey || ev.metaKey || ev.altKey) {
        if (!inLanes) return;
        ev.preventDefault();
        const at = this.v0 + (ev.clientX - rect.left) / rect.width * (this.v1 - this.v0);
        this.zoom(Math.pow(1.0015, ev.deltaY), at);
      } else if (Math.abs(ev.deltaX) > Math.abs(ev.deltaY) || ev.shiftKey) {
        ev.preventDefault();
        this.pan(-(ev.shiftKey ? ev.deltaY : ev.deltaX));
      }
    };
    this.scroller.addEventListener('wheel', wheel, { passive: false });
    this.ticks.addEventListener('wheel', wheel, { passive: false });
  };

  Viewer.prototype.click = function (target) {
    const rowElement = target.closest ? target.closest('.row') : null;
    if (!rowElement) return;
    const row = this.rows[Number(rowElement.dataset.index)];
    if (target.classList.contains('twisty') && row.parent) {
      this.toggle(row.id);
      return;
    }
    const marked = target.dataset && target.dataset.id ? this.m.byId.get(target.dataset.id) : null;
    this.select(marked || row.span || null);
    if (!marked && !row.span && row.parent) this.toggle(row.id);
  };

  Viewer.prototype.toggle = function (id) {
    if (this.collapsed.has(id)) this.collapsed.delete(id); else this.collapsed.add(id);
    this.rearrange();
  };

  Viewer.prototype.select = function (span) {
    this.selected = span;
    this.show(span);
    this.draw();
  };

  Viewer.prototype.setPipeline = function (pipeline) {
    this.pipeline = pipeline;
    this.collapsed = new Set();
    this.rearrange();
  };

  Viewer.prototype.setFilter = function (text) {
    this.keep = parseFilter(text);
    this.rearrange();
  };

  Viewer.prototype.counts = function () {
    let all = 0;
    let kept = 0;
    for (const s of this.m.spans) {
      if (s.kind === 'audit' || s.kind === 'event') {
        all++;
        if (!this.keep || this.keep(s)) kept++;
      }
    }
    return { all, kept };
  };

  // ---- The details of a span: its tags, state tracks and logs (diffs, messages, errors).

  function diffLine(line) {
    const span = node('span');
    if (/ -> /.test(line)) span.className = 'chg';
    else if (/^[^:]+: \+ /.test(line)) span.className = 'add';
    else if (/^[^:]+: - /.test(line)) span.className = 'del';
    span.textContent = line + '\n';
    return span;
  }

  Viewer.prototype.show = function (span) {
    const d = this.details;
    d.textContent = '';
    if (!span) {
      d.appendChild(node('p', 'hint', 'Click a bar, a marker or a row for its details. Drag to pan; ' +
        'Ctrl + wheel (or the + and − buttons) to zoom; ▾ folds a row.'));
      return;
    }
    d.appendChild(node('h2', null, span.kind === 'object' ? span.object : span.object + ': ' + span.name));
    const table = node('table');
    const add = (k, v) => {
      if (v === undefined || v === null || v === '') return;
      const tr = node('tr');
      tr.appendChild(node('td', null, k));
      tr.appendChild(node('td', null, v));
      table.appendChild(tr);
    };
    add('kind', span.kind);
    add('status', span.status);
    add(span.kind === 'event' ? 'time' : 'start', span.known ? stamp(span.startUs) : 'unknown');
    if (span.kind !== 'event' && span.known) add('duration', duration(span.durationUs));
    for (const k in span.tags) add(k, String(span.tags[k]));
    d.appendChild(table);
    for (const track of span.tracks || []) {
      d.appendChild(node('h3', null, 'state: ' + track.name));
      const pre = node('pre');
      pre.textContent = track.segments.map(s => clock(s.startUs, true) + '  ' + s.value +
        (s.reason ? ' (' + s.reason + ')' : '') + '  ' + duration(s.durationUs)).join('\n');
      d.appendChild(pre);
    }
    for (const log of span.logs) {
      d.appendChild(node('h3', 'log-' + log.kind, log.event + (log.timeUs !== null ? ' · ' + clock(log.timeUs, true) : '')));
      const pre = node('pre', 'log ' + log.kind);
      for (const line of log.lines) pre.appendChild(log.kind === 'diff' || log.kind === 'entry' ? diffLine(line) : node('span', null, line + '\n'));
      d.appendChild(pre);
    }
    // In the tree arrangement an object's entries are rows; elsewhere, list them here.
    if (span.kind === 'object' && span.entries.length && this.pipeline !== 'tree') {
      d.appendChild(node('h3', null, span.entries.length + ' requests and Events'));
      const pre = node('pre');
      pre.textContent = span.entries.slice(0, 200).map(e => clock(e.startUs, true) + '  ' + e.name).join('\n') +
        (span.entries.length > 200 ? '\n…' : '');
      d.appendChild(pre);
    }
  };

  // ---- The page: header, controls, legend; the report of an analysis.

  function legend() {
    const box = node('div', 'legend');
    const item = (text, color) => { const s = node('span', null, text); s.style.setProperty('--c', color); box.appendChild(s); };
    item('request', 'var(--ok)');
    item('failed', 'var(--error)');
    item('Event', 'var(--event)');
    item('Warning', 'var(--warning)');
    for (const v of ['Pending', 'Scheduled', 'Running', 'Succeeded', 'Failed']) item(v, COLORS.phase[v]);
    item('True', COLORS.ready.True);
    item('False', COLORS.ready.False);
    item('stuck', STUCK);
    item('deleting', COLORS.deleting.deleting);
    return box;
  }

  function header(title, trace) {
    const h = node('header');
    h.appendChild(node('h1', null, title));
    const meta = node('div', 'meta');
    meta.appendChild(node('code', null, data.origin.command));
    const store = data.origin.storeStart ? data.origin.storeStart + ' → ' + data.origin.storeEnd : 'unknown';
    meta.appendChild(document.createTextNode(' · store: ' + store));
    if (trace) {
      const c = trace.counts;
      meta.appendChild(document.createTextNode(' · ' + c.objects + ' objects, ' + c.requests + ' requests, ' + c.events +
        ' Events' + (c.hiddenNoise ? ', ' + c.hiddenNoise + ' hidden as noise (reads, leases)' : '') +
        (c.filtered ? ', ' + c.filtered + ' filtered out' : '')));
    }
    h.appendChild(meta);
    return h;
  }

  function controls(viewer) {
    const bar = node('div', 'controls');
    const group = node('div', 'group');
    const buttons = PIPELINES.map(p => {
      const b = node('button', null, p);
      b.dataset.pipeline = p;
      b.addEventListener('click', () => { viewer.setPipeline(p); mark(); });
      group.appendChild(b);
      return b;
    });
    const mark = () => buttons.forEach(b => b.classList.toggle('on', b.dataset.pipeline === viewer.pipeline));
    mark();
    bar.appendChild(group);
    const filter = node('input');
    filter.id = 'filter';
    filter.placeholder = 'filter: text, user:…, verb:…, code:…, reason:…';
    filter.addEventListener('input', () => viewer.setFilter(filter.value));
    bar.appendChild(filter);
    const count = node('span', 'count');
    bar.appendChild(count);
    viewer.onchange = () => {
      if (!viewer.m) return;
      const c = viewer.counts();
      count.textContent = viewer.keep ? c.kept + ' of ' + c.all + ' requests and Events match' : c.all + ' requests and Events';
    };
    const zoom = node('div', 'group');
    const zoomButton = (text, title, action) => {
      const b = node('button', null, text);
      b.title = title;
      b.dataset.zoom = text;
      b.addEventListener('click', action);
      zoom.appendChild(b);
    };
    zoomButton('−', 'zoom out', () => viewer.zoom(2));
    zoomButton('+', 'zoom in', () => viewer.zoom(0.5));
    zoomButton('fit', 'the whole trace', () => { viewer.fit(); viewer.draw(); });
    bar.appendChild(zoom);
    bar.appendChild(legend());
    document.addEventListener('keydown', ev => {
      if (ev.target === filter) return;
      if (ev.key === '+' || ev.key === '=') viewer.zoom(0.5);
      else if (ev.key === '-') viewer.zoom(2);
      else if (ev.key === '0') { viewer.fit(); viewer.draw(); }
    });
    return bar;
  }

  function report(analysis, open) {
    const section = node('section');
    section.id = 'report';
    for (const check of analysis.checks) {
      const h = node('h2');
      h.appendChild(node('span', 'status ' + check.status, check.status));
      h.appendChild(document.createTextNode(' ' + check.name));
      section.appendChild(h);
      section.appendChild(node('div', 'rule', check.rule));
      if (!check.findings.length) continue;
      const list = node('ul');
      for (const f of check.findings) {
        const li = node('li');
        li.appendChild(node('span', 'status ' + f.status, f.status));
        li.appendChild(document.createTextNode(' ' + f.subject + ': ' + f.detail));
        if (f.first) li.appendChild(document.createTextNode(' (' + f.first + (f.last && f.last !== f.first ? ' → ' + f.last : '') + ')'));
        if (f.object && open.has(f.object)) {
          li.appendChild(document.createTextNode(' '));
          const a = node('a', 'trace-link', 'trace ▸');
          a.dataset.object = f.object;
          a.addEventListener('click', () => open.get(f.object)());
          li.appendChild(a);
        }
        li.appendChild(document.createTextNode(' '));
        li.appendChild(node('code', null, f.command));
        list.appendChild(li);
      }
      section.appendChild(list);
    }
    return section;
  }

  // The data is gzipped JSON as base64 text; the browser's own DecompressionStream reads it.
  async function unpack() {
    const text = atob(document.getElementById('data').textContent.trim());
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return JSON.parse(await new Response(stream).text());
  }

  function render() {
    const app = document.getElementById('app');
    app.textContent = '';
    const main = node('main');
    const viewerBox = node('div', 'viewer');
    const details = node('aside');
    details.id = 'details';
    main.appendChild(viewerBox);
    main.appendChild(details);
    const viewer = new Viewer(viewerBox, details);
    if (data.page === 'analysis') {
      const traces = new Map(data.traces);
      const title = node('span');
      const h = header('analysis: ' + data.analysis.status);
      const open = new Map();
      for (const [object, trace] of traces) {
        open.set(object, () => {
          title.textContent = 'trace of ' + object;
          viewer.load(trace);
          viewerBox.scrollIntoView();
        });
      }
      h.appendChild(controls(viewer));
      app.appendChild(h);
      app.appendChild(report(data.analysis, open));
      const caption = node('div', 'meta');
      caption.style.padding = '2px 12px';
      caption.appendChild(title);
      app.appendChild(caption);
      app.appendChild(main);
      if (traces.size) open.get(traces.keys().next().value)();
      else {
        title.textContent = 'no finding names an object: no trace to show';
        viewer.show(null);
      }
    } else {
      const focus = data.trace.spans.find(s => s.focus);
      const h = header(focus ? focus.object : 'trace', data.trace);
      h.appendChild(controls(viewer));
      app.appendChild(h);
      app.appendChild(main);
      if (data.trace.spans.length) viewer.load(data.trace);
      else viewerBox.appendChild(node('div', 'empty', 'No object matched: the trace is empty.'));
    }
    // For tests and benchmarks: the viewer, and the time from navigation to the first render.
    const renderMs = Math.round(performance.now());
    document.documentElement.dataset.renderMs = renderMs;
    window.kelemetry = { viewer, renderMs };
  }

  unpack().then(unpacked => { data = unpacked; render(); }).catch(error => {
    document.getElementById('app').textContent = 'This page cannot read its data: ' + error;
    console.error(error);
  });
})();
