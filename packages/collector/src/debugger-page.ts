import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** `GET /`: the live debugger page, with a fresh nonce for its inline script and style. */
export function serveDebuggerPage(res: ServerResponse): void {
  const nonce = randomBytes(16).toString('base64');
  const html = renderDebuggerPage(nonce);
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    // Event content is rendered as text; the policy is a second line of defence.
    'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(html);
}

/**
 * The debugger page: one self-contained document (no CDN, no build step), whose inline style and
 * script carry `nonce` for the Content-Security-Policy. Every piece of event content is put in the
 * DOM with `textContent`, never parsed as HTML.
 */
export function renderDebuggerPage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tributary collector · debugger</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='7' fill='%2314b8a6'/%3E%3C/svg%3E">
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header class="top">
  <div class="brand"><span class="logo"></span><strong>Tributary</strong><span class="sub">collector · source debugger</span></div>
  <div class="actions">
    <span id="status" class="status" data-state="connecting">connecting…</span>
    <button id="pause" type="button" class="btn">Pause</button>
    <button id="clear" type="button" class="btn ghost" title="Delete every stored event and counter">Clear</button>
  </div>
</header>
<section class="counts" aria-label="Counts">
  <div class="count total"><span class="n" id="count-total">0</span><span class="l">events</span></div>
  <div id="type-counts" class="type-counts"></div>
  <div class="count warn"><span class="n" id="count-duplicates">0</span><span class="l">duplicates</span></div>
  <div class="count warn"><span class="n" id="count-invalid">0</span><span class="l">invalid</span></div>
  <div class="count bad"><span class="n" id="count-rejected">0</span><span class="l">rejected requests</span></div>
</section>
<section class="filters" aria-label="Filters">
  <label>Type <select id="filter-type"><option value="">all types</option></select></label>
  <label>Event <input id="filter-event" type="search" placeholder="event or page name" autocomplete="off"></label>
  <label>User <input id="filter-user" type="search" placeholder="userId or anonymousId" autocomplete="off"></label>
  <span id="shown" class="shown"></span>
</section>
<div id="pending" class="pending" hidden><span id="pending-text"></span> <button id="resume-inline" type="button" class="link">Resume</button></div>
<main class="main">
  <section class="list-pane" aria-label="Events">
    <table class="list">
      <thead><tr><th>Time</th><th>Type</th><th>Event</th><th>User</th></tr></thead>
      <tbody id="events"></tbody>
    </table>
    <div id="empty" class="empty">
      <p><strong>Waiting for events…</strong> They appear here the moment the collector stores them.</p>
      <pre id="empty-example"></pre>
    </div>
  </section>
  <section class="detail-pane" aria-label="Event detail">
    <div id="detail-head" class="detail-head">Select an event to see its full payload.</div>
    <pre id="detail-json" class="json"></pre>
  </section>
</main>
<section class="rejections" aria-label="Rejected requests">
  <h2>Rejected requests <span class="hint">refused by the collector or answered by an injected fault</span></h2>
  <ul id="rejections"></ul>
  <p id="no-rejections" class="muted">None so far.</p>
</section>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>`;
}

const STYLE = `
:root{--bg:#f6f7f9;--panel:#fff;--ink:#1c2430;--muted:#6b7685;--line:#e4e7ec;--accent:#0f9488;--accent-soft:#e6f6f4;
--identify:#7c3aed;--track:#0f9488;--page:#2563eb;--screen:#0891b2;--group:#d97706;--alias:#db2777;--bad:#dc2626;--warn:#b45309}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.top{display:flex;align-items:center;justify-content:space-between;padding:10px 20px;background:#111827;color:#f9fafb}
.brand{display:flex;align-items:center;gap:10px;font-size:16px}
.logo{width:14px;height:14px;border-radius:50%;background:linear-gradient(135deg,#2dd4bf,#0f9488);box-shadow:0 0 0 3px rgba(45,212,191,.25)}
.sub{color:#9ca3af;font-size:13px}
.actions{display:flex;align-items:center;gap:8px}
.status{font-size:12px;padding:3px 10px;border-radius:999px;background:#374151;color:#e5e7eb}
.status::before{content:"";display:inline-block;width:7px;height:7px;border-radius:50%;margin-right:6px;background:#9ca3af;vertical-align:1px}
.status[data-state=live]::before{background:#22c55e;box-shadow:0 0 0 3px rgba(34,197,94,.25)}
.status[data-state=paused]::before{background:#f59e0b}
.status[data-state=offline]::before{background:#ef4444}
.btn{font:inherit;font-size:13px;padding:5px 14px;border-radius:6px;border:1px solid #4b5563;background:#1f2937;color:#f9fafb;cursor:pointer}
.btn:hover{background:#374151}.btn.ghost{background:transparent}
.btn[aria-pressed=true]{background:#f59e0b;border-color:#f59e0b;color:#111827}
.counts{display:flex;flex-wrap:wrap;gap:10px;padding:14px 20px 6px}
.type-counts{display:contents}
.count{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:6px 12px;min-width:84px;display:flex;flex-direction:column;cursor:default}
.count.type{cursor:pointer;font:inherit;color:inherit;text-align:left;align-items:flex-start}.count.type:hover{border-color:var(--accent)}
.count.type[aria-pressed=true]{border-color:var(--accent);background:var(--accent-soft)}
.count .n{font-size:20px;font-weight:650;font-variant-numeric:tabular-nums}
.count .l{font-size:12px;color:var(--muted)}
.count.warn .n{color:var(--warn)}.count.bad .n{color:var(--bad)}
.filters{display:flex;flex-wrap:wrap;gap:14px;align-items:center;padding:8px 20px 12px;color:var(--muted);font-size:13px}
.filters select,.filters input{font:inherit;color:var(--ink);margin-left:6px;padding:5px 8px;border:1px solid var(--line);border-radius:6px;background:var(--panel);min-width:170px}
.filters input:focus,.filters select:focus{outline:2px solid var(--accent-soft);border-color:var(--accent)}
.shown{margin-left:auto}
.pending{margin:0 20px 10px;padding:8px 12px;border-radius:6px;background:#fef3c7;color:#92400e;font-size:13px}
.link{font:inherit;background:none;border:0;color:#92400e;text-decoration:underline;cursor:pointer;padding:0}
.main{display:grid;grid-template-columns:minmax(360px,1fr) minmax(360px,1fr);gap:14px;padding:0 20px;height:calc(100vh - 330px);min-height:320px}
.list-pane,.detail-pane{background:var(--panel);border:1px solid var(--line);border-radius:10px;overflow:auto}
.list{width:100%;border-collapse:collapse;font-size:13px;table-layout:fixed}
.list th:nth-child(1){width:122px}.list th:nth-child(2){width:92px}.list th:nth-child(4){width:32%}
.list th{position:sticky;top:0;background:#fafbfc;text-align:left;font-weight:600;color:var(--muted);padding:8px 12px;border-bottom:1px solid var(--line)}
.list td{padding:7px 12px;border-bottom:1px solid #f0f2f5;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.list tbody tr{cursor:pointer}.list tbody tr:hover{background:#f8fafc}
.list tbody tr[aria-selected=true]{background:var(--accent-soft)}
.list tr.fresh{animation:fresh 1.2s ease-out}
@keyframes fresh{from{background:#ccfbf1}to{background:transparent}}
.time{color:var(--muted);font-variant-numeric:tabular-nums}
.badge{display:inline-block;font-size:11px;font-weight:650;letter-spacing:.02em;padding:2px 8px;border-radius:999px;color:#fff;background:#6b7280}
.badge.identify{background:var(--identify)}.badge.track{background:var(--track)}.badge.page{background:var(--page)}
.badge.screen{background:var(--screen)}.badge.group{background:var(--group)}.badge.alias{background:var(--alias)}
.user{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;color:#374151}
.anon{color:var(--muted)}
.empty{padding:28px;color:var(--muted)}.empty pre{background:#f3f4f6;padding:10px;border-radius:6px;white-space:pre-wrap;font-size:12px;color:#374151}
.detail-head{padding:10px 14px;border-bottom:1px solid var(--line);font-size:13px;color:var(--muted);position:sticky;top:0;background:var(--panel)}
.detail-head strong{color:var(--ink)}
.json{margin:0;padding:14px;font:12.5px/1.55 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-word}
.j-key{color:#7c3aed}.j-str{color:#047857}.j-num{color:#b45309}.j-bool{color:#2563eb}.j-null{color:#9ca3af}
.rejections{margin:14px 20px 24px;background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:10px 14px}
.rejections h2{font-size:14px;margin:0 0 8px}.hint{font-weight:400;color:var(--muted);font-size:12px;margin-left:6px}
.rejections ul{list-style:none;margin:0;padding:0;max-height:160px;overflow:auto}
.rejections li{display:flex;gap:10px;padding:5px 0;border-top:1px solid #f0f2f5;font-size:13px;align-items:baseline}
.rejections li:first-child{border-top:0}
.code{font-family:ui-monospace,monospace;font-size:12px;font-weight:600;color:var(--bad)}
.st{font-variant-numeric:tabular-nums;font-weight:600;min-width:34px}
.msg{color:#374151;overflow:hidden;text-overflow:ellipsis}
.muted{color:var(--muted);margin:0;font-size:13px}
@media (max-width:900px){.main{grid-template-columns:1fr;height:auto}.list-pane,.detail-pane{max-height:60vh}}
`;

const SCRIPT = `
(() => {
  'use strict';
  const TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'];
  const MAX_EVENTS = 2000;
  const $ = (id) => document.getElementById(id);
  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };
  const state = { events: [], seqs: new Set(), selected: null, paused: false, pending: [], loaded: false, early: [], stats: null };
  const filters = { type: '', event: '', user: '' };

  for (const type of TYPES) {
    const option = el('option', '', type);
    option.value = type;
    $('filter-type').append(option);
  }
  $('empty-example').textContent =
    "curl -X POST " + location.origin + "/v1/track -u my-write-key: \\\\\\n  -H 'content-type: application/json' \\\\\\n  -d '{\\"userId\\":\\"user-1\\",\\"event\\":\\"Hello\\"}'";

  const nameOf = (e) => {
    const m = e.message || {};
    if (e.type === 'track') return e.event || m.event || '';
    if (e.type === 'page' || e.type === 'screen') return [m.category, m.name].filter(Boolean).join(' · ') || '(unnamed ' + e.type + ')';
    if (e.type === 'group') return 'group ' + (m.groupId ?? '');
    if (e.type === 'alias') return (m.previousId ?? '?') + ' → ' + (m.userId ?? '?');
    if (e.type === 'identify') {
      const traits = m.traits && typeof m.traits === 'object' ? Object.keys(m.traits) : [];
      return traits.length ? 'traits: ' + traits.slice(0, 4).join(', ') + (traits.length > 4 ? ', …' : '') : 'identify';
    }
    return e.type;
  };
  const matches = (e) => {
    if (filters.type && e.type !== filters.type) return false;
    if (filters.event && !nameOf(e).toLowerCase().includes(filters.event)) return false;
    if (filters.user) {
      const ids = [e.userId, e.anonymousId].filter(Boolean).join(' ').toLowerCase();
      if (!ids.includes(filters.user)) return false;
    }
    return true;
  };
  const timeOf = (iso) => {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
  };

  const rowFor = (e, fresh) => {
    const tr = el('tr', fresh ? 'fresh' : '');
    tr.dataset.testid = 'event-row';
    tr.dataset.seq = String(e.seq);
    tr.dataset.type = e.type;
    tr.setAttribute('aria-selected', String(state.selected === e.seq));
    tr.append(el('td', 'time', timeOf(e.receivedAt)));
    const typeCell = el('td');
    typeCell.append(el('span', 'badge ' + (TYPES.includes(e.type) ? e.type : ''), e.type));
    tr.append(typeCell);
    tr.append(el('td', 'name', nameOf(e)));
    const userCell = el('td', 'user');
    if (e.userId) userCell.append(el('span', '', e.userId));
    else if (e.anonymousId) userCell.append(el('span', 'anon', 'anon ' + e.anonymousId));
    tr.append(userCell);
    tr.addEventListener('click', () => select(e.seq));
    return tr;
  };

  const renderList = () => {
    const body = $('events');
    const rows = [];
    for (let i = state.events.length - 1; i >= 0 && rows.length < 500; i--) {
      const e = state.events[i];
      if (matches(e)) rows.push(rowFor(e, false));
    }
    body.replaceChildren(...rows);
    updateShown();
  };
  const updateShown = () => {
    const shown = $('events').children.length;
    $('empty').hidden = state.events.length > 0;
    $('shown').textContent = state.events.length ? shown + ' of ' + state.events.length + ' shown' : '';
  };

  const jsonInto = (target, value) => {
    const text = JSON.stringify(value, null, 2);
    const token = /("(?:\\\\u[0-9a-fA-F]{4}|\\\\[^u]|[^\\\\"])*"(\\s*:)?|\\b(?:true|false)\\b|\\bnull\\b|-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)/g;
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(token)) {
      if (match.index > last) parts.push(document.createTextNode(text.slice(last, match.index)));
      const t = match[0];
      let cls = 'j-num';
      if (t.startsWith('"')) cls = match[2] ? 'j-key' : 'j-str';
      else if (t === 'true' || t === 'false') cls = 'j-bool';
      else if (t === 'null') cls = 'j-null';
      parts.push(el('span', cls, t));
      last = match.index + t.length;
    }
    if (last < text.length) parts.push(document.createTextNode(text.slice(last)));
    target.replaceChildren(...parts);
  };

  const select = (seq) => {
    state.selected = seq;
    const e = state.events.find((x) => x.seq === seq);
    for (const tr of $('events').children) tr.setAttribute('aria-selected', String(tr.dataset.seq === String(seq)));
    const head = $('detail-head');
    if (!e) {
      head.textContent = 'Select an event to see its full payload.';
      $('detail-json').replaceChildren();
      return;
    }
    head.replaceChildren(el('strong', '', e.type + (nameOf(e) ? ' · ' + nameOf(e) : '')), el('span', '', '  messageId ' + e.messageId + (e.writeKey ? '  ·  write key ' + e.writeKey : '')));
    jsonInto($('detail-json'), e.message);
  };

  const add = (e, live) => {
    if (state.seqs.has(e.seq)) return;
    state.seqs.add(e.seq);
    state.events.push(e);
    if (state.events.length > MAX_EVENTS) state.seqs.delete(state.events.shift().seq);
    if (live && matches(e)) {
      const body = $('events');
      body.prepend(rowFor(e, true));
      while (body.children.length > 500) body.lastElementChild.remove();
      updateShown();
    }
  };

  const renderStats = (s) => {
    if (!s) return;
    state.stats = s;
    $('count-total').textContent = s.total;
    $('count-duplicates').textContent = s.duplicates;
    $('count-invalid').textContent = Object.values(s.invalid || {}).reduce((a, b) => a + b, 0);
    $('count-rejected').textContent = Object.values(s.rejectedRequests || {}).reduce((a, b) => a + b, 0) + Object.values(s.faults || {}).reduce((a, b) => a + b, 0);
    const box = $('type-counts');
    const types = [...new Set([...TYPES, ...Object.keys(s.byType || {})])];
    box.replaceChildren(...types.map((type) => {
      const card = el('button', 'count type');
      card.type = 'button';
      card.id = 'count-' + type;
      card.setAttribute('aria-pressed', String(filters.type === type));
      card.title = 'Show only ' + type + ' events';
      card.append(el('span', 'n', (s.byType && s.byType[type]) || 0), el('span', 'l', type));
      card.addEventListener('click', () => {
        filters.type = filters.type === type ? '' : type;
        $('filter-type').value = filters.type;
        renderStats(state.stats);
        renderList();
      });
      return card;
    }));
  };

  const addRejection = (r, prepend) => {
    const li = el('li');
    li.dataset.testid = 'rejection-row';
    li.append(el('span', 'time', timeOf(r.at)), el('span', 'st', r.status || '—'), el('span', 'code', r.reason), el('span', 'msg', r.method + ' ' + r.path + ' — ' + r.message));
    li.title = r.message;
    const list = $('rejections');
    if (prepend) list.prepend(li); else list.append(li);
    while (list.children.length > 200) list.lastElementChild.remove();
    $('no-rejections').hidden = true;
  };

  const setStatus = (s, text) => {
    const node = $('status');
    node.dataset.state = s;
    node.textContent = text;
  };
  const setPaused = (paused) => {
    state.paused = paused;
    const button = $('pause');
    button.textContent = paused ? 'Resume' : 'Pause';
    button.setAttribute('aria-pressed', String(paused));
    if (!paused) {
      for (const e of state.pending) add(e, true);
      state.pending = [];
    }
    updatePending();
    setStatus(paused ? 'paused' : 'live', paused ? 'paused' : 'live');
  };
  const updatePending = () => {
    $('pending').hidden = !state.paused;
    $('pending-text').textContent = 'Paused: ' + state.pending.length + ' new event' + (state.pending.length === 1 ? '' : 's') + ' held back.';
  };

  $('pause').addEventListener('click', () => setPaused(!state.paused));
  $('resume-inline').addEventListener('click', () => setPaused(false));
  $('clear').addEventListener('click', () => { fetch('/api/events', { method: 'DELETE' }); });
  $('filter-type').addEventListener('change', (ev) => { filters.type = ev.target.value; renderStats(state.stats); renderList(); });
  $('filter-event').addEventListener('input', (ev) => { filters.event = ev.target.value.trim().toLowerCase(); renderList(); });
  $('filter-user').addEventListener('input', (ev) => { filters.user = ev.target.value.trim().toLowerCase(); renderList(); });

  const onEvent = (e) => {
    if (!state.loaded) { state.early.push(e); return; }
    if (state.paused) { state.pending.push(e); updatePending(); return; }
    add(e, true);
  };

  const load = async () => {
    const [events, rejections, stats] = await Promise.all([
      fetch('/api/events?order=desc&limit=' + MAX_EVENTS).then((r) => r.json()),
      fetch('/api/rejections').then((r) => r.json()),
      fetch('/api/stats').then((r) => r.json()),
    ]);
    state.events = [];
    state.seqs = new Set();
    for (const e of events.events.reverse()) add(e, false);
    for (const e of state.early) add(e, false);
    state.early = [];
    state.loaded = true;
    renderList();
    $('rejections').replaceChildren();
    $('no-rejections').hidden = rejections.rejections.length > 0;
    for (const r of rejections.rejections) addRejection(r, false);
    renderStats(stats);
  };

  const connect = () => {
    const source = new EventSource('/api/stream');
    source.addEventListener('hello', () => {
      state.loaded = false;
      setStatus(state.paused ? 'paused' : 'live', state.paused ? 'paused' : 'live');
      load().catch(() => setStatus('offline', 'offline'));
    });
    source.addEventListener('event', (m) => onEvent(JSON.parse(m.data)));
    source.addEventListener('stats', (m) => renderStats(JSON.parse(m.data)));
    source.addEventListener('rejection', (m) => addRejection(JSON.parse(m.data), true));
    source.addEventListener('reset', (m) => {
      state.events = []; state.seqs = new Set(); state.pending = []; state.selected = null;
      $('rejections').replaceChildren(); $('no-rejections').hidden = false;
      select(null); renderList(); updatePending(); renderStats(JSON.parse(m.data));
    });
    source.onerror = () => setStatus('offline', 'reconnecting…');
  };
  renderStats({ total: 0, duplicates: 0, invalid: {}, rejectedRequests: {}, faults: {}, byType: {} });
  updateShown();
  connect();
})();
`;
