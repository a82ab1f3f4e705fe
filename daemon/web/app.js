// The ISMS dashboard: reads ismsd's HTTP API (docs/protocol.md, "HTTP")
// and follows its event stream. Everything is built with DOM nodes and
// textContent, never from markup, so repository content cannot forge
// structure. No build step, no library, nothing fetched from elsewhere.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const state = {
    token: null, repo: null, repos: [], people: {}, soa: { controls: {} },
    results: [], lastId: null, es: null, timer: null, events: [], hello: 0,
  };
  // For the tests and the curious: what the stream delivered.
  window.ismsDashboard = state;

  // An element with attributes and children (text or nodes).
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k.startsWith('data-')) e.setAttribute(k, String(v));
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const k of kids) {
      if (k === null || k === undefined) continue;
      e.appendChild(typeof k === 'object' ? k : document.createTextNode(String(k)));
    }
    return e;
  }
  function svg(tag, attrs) {
    const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function personName(id) {
    if (!id) return 'not named';
    const p = state.people[id];
    return p && p.name ? p.name : id;
  }
  function q(params) {
    const u = new URLSearchParams(params || {});
    if (state.repo) u.set('repo', state.repo);
    return u.toString();
  }

  class AuthError extends Error {}

  async function api(path, params) {
    const r = await fetch('api/' + path + '?' + q(params), {
      headers: { Authorization: 'Bearer ' + state.token }, cache: 'no-store',
    });
    if (r.status === 401) throw new AuthError('the token was refused');
    const body = await r.json();
    if (!r.ok) throw new Error((body.error && body.error.message) || r.statusText);
    return body;
  }

  // Token: ?token= once (then dropped from the address bar), else the
  // tab's sessionStorage, else ask.
  function takeToken() {
    const u = new URL(location.href);
    const t = u.searchParams.get('token');
    if (t) {
      sessionStorage.setItem('ismsd-token', t);
      u.searchParams.delete('token');
      history.replaceState(null, '', u.pathname + (u.search || '') + u.hash);
    }
    state.repo = u.searchParams.get('repo');
    return sessionStorage.getItem('ismsd-token');
  }
  function askToken(msg) {
    sessionStorage.removeItem('ismsd-token');
    $('main').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = msg || '';
    $('verdict').textContent = 'A token is needed.';
  }

  // Conformance per clause and theme.
  function groupRow(g) {
    const c = g.counts, judged = c.pass + c.fail + c.warn + c.error;
    const pct = (n) => judged ? (100 * n / judged) : 0;
    const bar = el('div', { class: 'bar', title: judged ? Math.round(pct(c.pass)) + '% of judged rules pass' : 'nothing judged' });
    for (const [k, n] of [['p', c.pass], ['w', c.warn], ['f', c.fail + c.error]]) {
      const s = el('span', { class: k });
      s.style.width = pct(n) + '%';
      bar.appendChild(s);
    }
    return el('tr', {
      class: g.conformant ? '' : 'nonconformant', 'data-group': g.group, 'data-rules': g.rules,
      'data-pass': c.pass, 'data-fail': c.fail, 'data-warn': c.warn,
      'data-not_applicable': c.not_applicable, 'data-waived': c.waived, 'data-error': c.error,
    }, el('td', {}, g.label.replace(/\s+/g, ' ')), el('td', {}, g.rules), el('td', {}, c.pass),
    el('td', { class: c.fail ? 'n-fail' : '' }, c.fail), el('td', {}, c.warn),
    el('td', {}, c.not_applicable), el('td', {}, c.waived),
    el('td', { class: c.error ? 'n-fail' : '' }, c.error), el('td', { class: 'barcell' }, bar));
  }
  function showSummary(s) {
    const clauses = clear($('clauses').tBodies[0]), themes = clear($('themes').tBodies[0]);
    for (const g of s.groups) (/^\d+$/.test(g.group) ? clauses : themes).appendChild(groupRow(g));
    const c = s.counts;
    const v = $('verdict');
    v.className = 'verdict ' + (s.conformant ? 'ok' : 'bad');
    v.textContent = (s.conformant ? 'Conformant' : 'Not conformant') + ': ' + c.pass + ' pass, ' +
      c.fail + ' fail, ' + c.warn + ' warn, ' + c.not_applicable + ' not applicable, ' +
      c.waived + ' waived, ' + c.error + ' error';
    $('commit').textContent = 'commit ' + String(s.commit || '').slice(0, 12) +
      ' evaluated ' + (s.evaluated_at || '?');
  }

  // The trend over evaluated commits: pass and fail counts.
  function showTrend(h) {
    const box = clear($('trend'));
    const pts = h.commits || [];
    if (pts.length === 0) { box.appendChild(el('p', {}, 'No history yet.')); return; }
    const W = 600, H = 120, pad = 6;
    const max = Math.max(1, ...pts.map((p) => Math.max(p.counts.pass, p.counts.fail)));
    const x = (i) => pts.length === 1 ? W / 2 : pad + i * (W - 2 * pad) / (pts.length - 1);
    const y = (n) => H - pad - n * (H - 2 * pad) / max;
    const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img' });
    s.appendChild(svg('title', {})).textContent = 'Passing and failing rules per evaluated commit';
    for (const k of ['pass', 'fail']) {
      s.appendChild(svg('polyline', {
        class: k, points: pts.map((p, i) => x(i) + ',' + y(p.counts[k])).join(' '),
      }));
      pts.forEach((p, i) => s.appendChild(svg('circle', { class: k, cx: x(i), cy: y(p.counts[k]), r: 3 })));
    }
    box.appendChild(s);
    const first = pts[0], last = pts[pts.length - 1];
    box.appendChild(el('p', { class: 'legend' },
      `${pts.length} evaluated commit${pts.length === 1 ? '' : 's'} from ${first.evaluated_at} to ${last.evaluated_at}: ` +
      `passing ${first.counts.pass} → ${last.counts.pass} (green), failing ${first.counts.fail} → ${last.counts.fail} (red)`));
  }

  // Who owns a finding: the control's owner in the SoA, else the SoA's
  // owner (the ISMS's).
  function ownerOf(r) {
    const c = r.control && state.soa.controls[r.control];
    return (c && c.owner) || state.soa.owner || null;
  }

  function fill(sel, values, label) {
    const keep = sel.value;
    clear(sel).appendChild(el('option', { value: '' }, 'all'));
    for (const v of values) sel.appendChild(el('option', { value: v }, label ? label(v) : v));
    sel.value = values.includes(keep) ? keep : '';
  }

  function showFindings(res, fresh) {
    const rows = [];
    for (const r of res.results) {
      if (r.status !== 'fail' && r.status !== 'warn' && r.status !== 'error') continue;
      const fs = r.findings && r.findings.length ? r.findings
        : [{ message: r.note || r.title, severity: r.severity, file: null, line: 0 }];
      for (const f of fs) rows.push({ r, f, owner: ownerOf(r) });
    }
    const num = (a) => a.split('.').map((n) => n.padStart(3, '0')).join('.');
    const uniq = (a) => [...new Set(a.filter(Boolean))];
    fill($('f-clause'), uniq(rows.map((x) => x.r.clause)).sort((a, b) => num(a) < num(b) ? -1 : 1));
    fill($('f-control'), uniq(rows.map((x) => x.r.control)).sort((a, b) => num(a) < num(b) ? -1 : 1), (v) => 'A.' + v);
    fill($('f-owner'), uniq(rows.map((x) => x.owner)).sort(), personName);
    const want = {
      clause: $('f-clause').value, control: $('f-control').value,
      severity: $('f-severity').value, owner: $('f-owner').value,
    };
    const list = clear($('findings'));
    let shown = 0;
    for (const { r, f, owner } of rows) {
      const sev = f.severity || r.severity;
      if ((want.clause && r.clause !== want.clause) || (want.control && r.control !== want.control) ||
          (want.severity && sev !== want.severity) || (want.owner && owner !== want.owner)) continue;
      const where = f.file ? f.file + (f.line ? ':' + f.line : '') : '';
      const key = r.id + '|' + where + '|' + f.message;
      const li = el('li', {
        class: 'finding ' + sev + (fresh && !state.seen.has(key) ? ' new' : ''),
        'data-rule': r.id, 'data-file': f.file, 'data-line': f.line, 'data-severity': sev,
        'data-owner': owner,
      },
      el('div', { class: 'head' },
        el('span', { class: 'sev' }, sev), el('span', { class: 'rule' }, r.id),
        el('span', {}, r.clause ? 'clause ' + r.clause : r.control ? 'control A.' + r.control : ''),
        where ? el('span', { class: 'where' }, where) : null,
        el('span', { class: 'owner' }, 'owner: ' + personName(owner))),
      el('div', { class: 'msg' }, f.message),
      el('p', { class: 'todo' }, 'What to do: ' + (r.remediation || r.title)));
      list.appendChild(li);
      shown++;
    }
    state.seen = new Set(rows.map(({ r, f }) => r.id + '|' + (f.file ? f.file + (f.line ? ':' + f.line : '') : '') + '|' + f.message));
    $('nfindings').textContent = shown === rows.length ? `(${rows.length})` : `(${shown} of ${rows.length})`;
    if (rows.length === 0) list.appendChild(el('li', {}, 'No open finding.'));
  }

  function showSoa(soa) {
    const body = clear($('soa').tBodies[0]);
    const rec = state.soa.controls;
    const byControl = {};
    for (const c of soa.controls) byControl[c.control] = c;
    const num = (a) => a.split('.').map((n) => n.padStart(3, '0')).join('.');
    const ids = [...new Set([...Object.keys(rec), ...Object.keys(byControl)])].sort((a, b) => num(a) < num(b) ? -1 : 1);
    for (const id of ids) {
      const r = rec[id] || {}, v = byControl[id];
      const theme = v ? v.theme : '';
      body.appendChild(el('tr', { 'data-control': id },
        el('td', {}, 'A.' + id), el('td', {}, theme),
        el('td', {}, r.applicable === true ? 'yes' : r.applicable === false ? 'no' : '?',
          r.applicable === false && r.justification ? el('div', { class: 'count' }, r.justification) : null),
        el('td', {}, r.status || ''), el('td', {}, personName(r.owner)),
        el('td', { class: v ? 'st-' + v.status : '' }, v ? v.status.replace('_', ' ') : 'no rule')));
    }
  }

  function showCalendar(cal) {
    const body = clear($('calendar').tBodies[0]);
    let overdue = 0;
    for (const e of cal.events) {
      if (e.overdue) overdue++;
      body.appendChild(el('tr', { class: e.overdue ? 'overdue' : '', 'data-event': e.id },
        el('td', {}, e.date, e.overdue ? ' ' : null, e.overdue ? el('span', { class: 'tag overdue' }, 'OVERDUE') : null),
        el('td', {}, e.title), el('td', {}, personName(e.owner)),
        el('td', {}, e.file + ':' + e.line)));
    }
    $('noverdue').textContent = `(${cal.events.length} events, ${overdue} overdue, today ${cal.today})`;
  }

  function showReminders(rem) {
    const body = clear($('reminders').tBodies[0]);
    for (const r of rem.reminders) {
      body.appendChild(el('tr', { 'data-reminder': r.id },
        el('td', {}, String(r.due_at || '').replace('T', ' ').replace(':00Z', ' UTC')),
        el('td', {}, r.message, r.file ? el('div', { class: 'count' }, r.file + ':' + r.line) : null),
        el('td', {}, personName(r.to)),
        el('td', {}, r.acknowledged ? el('span', { class: 'tag acked' }, 'acknowledged')
          : el('span', { class: 'tag due' }, 'due'),
        r.acknowledged ? null : el('div', { class: 'count' }, 'ismsctl ack ' + r.ack))));
    }
    if (rem.reminders.length === 0) body.appendChild(el('tr', {}, el('td', { colspan: 4 }, 'No reminder has fired.')));
  }

  function showRepos(st) {
    state.repos = st.repositories;
    const sel = clear($('repo'));
    for (const r of st.repositories) sel.appendChild(el('option', { value: r.name }, r.name));
    if (!state.repo || !st.repositories.some((r) => r.name === state.repo)) state.repo = st.repositories[0].name;
    sel.value = state.repo;
    sel.parentElement.hidden = st.repositories.length < 2;
    const nav = clear($('repos'));
    if (st.repositories.length > 1) {
      for (const r of st.repositories) {
        const a = el('a', { href: '?repo=' + encodeURIComponent(r.name), class: r.name === state.repo ? 'sel' : '', 'data-repo': r.name },
          r.name + ' ', el('span', { class: r.conformant ? 'ok' : 'bad' }, r.conformant ? 'conformant' : `${r.counts ? r.counts.fail : '?'} failing`));
        a.addEventListener('click', (ev) => { ev.preventDefault(); choose(r.name); });
        nav.appendChild(a);
      }
    }
    const cur = st.repositories.find((r) => r.name === state.repo);
    $('org').textContent = (cur && cur.organisation) || 'ISMS';
    document.title = ((cur && cur.organisation) || 'ISMS') + ' - ISMS dashboard';
  }

  // Everything, afresh.
  async function load() {
    const st = await api('status');
    showRepos(st);
    const [people, summary, results, soa, history, cal, rem] = await Promise.all([
      api('people').catch(() => ({ people: {}, soa: { controls: {} } })),
      api('summary'), api('results'), api('soa'), api('history', { limit: 200 }),
      api('calendar').catch(() => ({ events: [], today: '?' })),
      api('reminders').catch(() => ({ reminders: [] })),
    ]);
    state.people = people.people || {};
    state.soa = people.soa && people.soa.controls ? people.soa : { controls: {} };
    showSummary(summary);
    showTrend(history);
    state.results = results;
    showFindings(results, !!state.seen);
    showSoa(soa);
    showCalendar(cal);
    showReminders(rem);
    $('ics').href = 'webcal://' + location.host + location.pathname.replace(/[^/]*$/, '') +
      'calendar.ics?' + new URLSearchParams({ repo: state.repo, token: state.token });
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    $('main').hidden = false;
    $('login').hidden = true;
  }

  // Reload soon, once for a burst of events.
  function soon() {
    clearTimeout(state.timer);
    state.timer = setTimeout(() => load().catch(failed), 150);
  }
  function failed(e) {
    if (e instanceof AuthError) { askToken(e.message); return; }
    $('verdict').textContent = 'ismsd: ' + e.message;
  }

  function live(on) {
    $('live').className = 'live ' + (on ? 'on' : 'off');
    $('live').textContent = on ? 'live' : 'reconnecting';
  }

  // Follow the stream; EventSource resumes by itself with Last-Event-ID.
  // When it gives up (the daemon answered with an error while starting),
  // connect again from the last cursor seen.
  function follow() {
    if (state.es) state.es.close();
    const p = new URLSearchParams({ token: state.token });
    if (state.repo) p.set('repo', state.repo);
    if (state.lastId) p.set('last_event_id', state.lastId);
    const es = state.es = new EventSource('api/events?' + p.toString());
    const take = (ev) => {
      if (ev.lastEventId) {
        state.lastId = ev.lastEventId;
        $('cursor').textContent = 'cursor ' + ev.lastEventId;
      }
    };
    es.addEventListener('hello', (ev) => {
      take(ev);
      state.hello++;
      live(true);
      soon(); // what changed while away, also without events
    });
    for (const t of ['results', 'findings', 'commits', 'status', 'reminders']) {
      es.addEventListener(t, (ev) => {
        take(ev);
        state.events.push(Number(ev.lastEventId));
        soon();
      });
    }
    es.onopen = () => live(true);
    es.onerror = () => {
      live(false);
      if (es.readyState === EventSource.CLOSED) setTimeout(follow, 2000);
    };
  }

  function choose(name) {
    state.repo = name;
    state.lastId = null;
    state.seen = null;
    const u = new URL(location.href);
    u.searchParams.set('repo', name);
    history.replaceState(null, '', u.pathname + u.search);
    load().then(follow).catch(failed);
  }

  function start() {
    load().then(follow).catch(failed);
  }

  document.addEventListener('DOMContentLoaded', () => {
    for (const id of ['f-clause', 'f-control', 'f-severity', 'f-owner']) {
      $(id).addEventListener('change', () => showFindings(state.results, false));
    }
    $('repo').addEventListener('change', (ev) => choose(ev.target.value));
    $('login').addEventListener('submit', (ev) => {
      ev.preventDefault();
      state.token = $('token').value.trim();
      sessionStorage.setItem('ismsd-token', state.token);
      start();
    });
    state.token = takeToken();
    if (!state.token) askToken();
    else start();
  });
})();
