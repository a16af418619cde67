import { drawerJs } from './drawerJs.js';
import { figuresJs } from './figuresJs.js';
import { timelineJs } from './timelineJs.js';

/**
 * The dashboard's script, served as `/assets/app.js`: plain browser JavaScript, no framework
 * and no build step. It polls `/api/runs` and `/api/metrics`, streams the selected run's events
 * over SSE, asks the server for the state folded at any seq (the timeline), and sends answers
 * and review decisions with the token from the page's URL fragment (`/#<token>`). Figures,
 * timeline and task drawer live in their own modules and share this script's scope.
 */
export const appJs = `'use strict';
(function () {
  var statuses = ['planned', 'running', 'needs_clarification', 'awaiting_review', 'completed', 'failed', 'stopped'];
  var titles = { planned: 'Planned', running: 'Running', needs_clarification: 'Needs clarification', awaiting_review: 'Awaiting review', completed: 'Completed', failed: 'Failed', stopped: 'Stopped (run ended)' };
  var finalStatuses = ['completed', 'failed', 'skipped'];
  var params = new URLSearchParams(location.search);
  // The token comes in the URL's fragment (never sent to a server, kept out of logs) and stays
  // in this tab's session storage; the address bar is cleaned at once.
  var token = location.hash.slice(1) || sessionStorage.getItem('troupe-token') || '';
  if (location.hash.length > 1) {
    sessionStorage.setItem('troupe-token', token);
    history.replaceState(null, '', location.pathname + location.search);
  }
  var view = { runId: params.get('run'), events: [], live: true, until: null, source: null, state: null, caps: {}, pendingRefresh: false, refreshAgain: false, taskFilter: '', drawer: null };
  var $ = function (id) { return document.getElementById(id); };

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') el.textContent = attrs[k]; else el.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) el.appendChild(c); });
    return el;
  }
  function svg(tag, attrs) {
    var el = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs).forEach(function (k) { if (k === 'text') el.textContent = attrs[k]; else el.setAttribute(k, attrs[k]); });
    return el;
  }
  function notice(text) { $('notice').textContent = text || ''; }
  function getJson(path) {
    return fetch(path, { cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
      return r.json();
    });
  }
  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body: JSON.stringify(body) })
      .then(function (r) {
        return r.json().then(function (j) {
          if (!r.ok) throw new Error(r.status === 401 ? 'Not allowed: open the dashboard with the URL it printed at start (ending in #<token>)' : (j.error && j.error.message) || 'HTTP ' + r.status);
          return j;
        });
      });
  }
  function fmt(n, digits) { return typeof n === 'number' ? n.toFixed(digits === undefined ? 0 : digits) : '–'; }

${figuresJs}
  function renderRuns(runs) {
    var select = $('run-select');
    var next = runs.map(function (r) { return r.runId + ':' + r.status; }).join(',');
    if (select.getAttribute('data-key') !== next) {
      select.setAttribute('data-key', next);
      select.replaceChildren.apply(select, runs.slice().reverse().map(function (r) {
        return h('option', { value: r.runId, text: r.goal.slice(0, 60) + ' (' + r.status + ')' });
      }));
    }
    if (!view.runId && runs.length > 0) selectRun(runs[runs.length - 1].runId);
    if (view.runId) select.value = view.runId;
  }

  function runEnded(state) { return ['completed', 'failed', 'cancelled'].indexOf(state.status) >= 0; }
  // A run that ended leaves its unfinished tasks stopped: no question or review of it is open.
  function shownTasks(state) {
    var ended = runEnded(state);
    return state.tasks.map(function (t) {
      return Object.assign({}, t, { shown: ended && finalStatuses.indexOf(t.status) < 0 ? 'stopped' : t.status });
    });
  }

  function renderBoard(tasks) {
    var board = $('board');
    var columns = statuses.filter(function (s) { return s !== 'stopped' || tasks.some(function (t) { return t.shown === s; }); });
    tasks.forEach(function (t) { if (columns.indexOf(t.shown) < 0) columns.push(t.shown); });
    board.replaceChildren.apply(board, columns.map(function (status) {
      var list = tasks.filter(function (t) { return t.shown === status; });
      var shown = list.slice(0, 200).map(function (t) {
        return h('div', { class: 'task', 'data-task-id': t.id, 'data-status': t.status, 'data-open-task': t.id, role: 'button', tabindex: '0', title: 'Open ' + t.id }, [
          h('div', { class: 'id', text: t.id }),
          h('div', { class: 'meta', text: t.kind + (t.tool ? ' · ' + t.tool : '') + ' · attempt ' + t.attempts }),
          h('div', { text: t.description.slice(0, 120) })
        ]);
      });
      if (list.length > 200) shown.push(h('div', { class: 'empty', text: '+' + (list.length - 200) + ' more' }));
      return h('div', { class: 'column', 'data-column': status }, [h('h3', { text: (titles[status] || status) + ' (' + list.length + ')' })].concat(shown));
    }));
  }

  function renderClarifications(tasks) {
    var open = tasks.filter(function (t) { return t.shown === 'needs_clarification'; });
    var box = $('clarifications');
    if (open.length === 0) return box.replaceChildren(h('p', { class: 'empty', text: 'No question waiting.' }));
    box.replaceChildren.apply(box, open.map(function (t) {
      var text = h('textarea', { 'aria-label': 'Answer to ' + t.id, maxlength: '10000' });
      var button = h('button', { type: 'button', text: 'Answer' });
      button.disabled = !view.live || !view.caps.answer;
      text.disabled = !view.live;
      if (!view.live) text.placeholder = 'Viewing the past: go live to answer';
      button.addEventListener('click', function () {
        post('/api/runs/' + encodeURIComponent(view.runId) + '/tasks/' + encodeURIComponent(t.id) + '/answer', { text: text.value })
          .then(function () { notice('Answered ' + t.id); }, function (e) { notice(e.message); });
      });
      return h('div', { class: 'item', 'data-clarification': t.id }, [h('strong', { text: t.id + ': ' }), h('span', { text: t.question || t.description }), text, button]);
    }));
  }

  function pendingReviews() {
    var open = {};
    if (view.state && runEnded(view.state)) return [];
    var at = view.live ? Infinity : view.until;
    view.events.forEach(function (e) {
      if (e.seq > at) return;
      if (e.type === 'review.requested') open[e.reviewId] = e;
      else if (e.type === 'review.decided') delete open[e.reviewId];
    });
    return Object.keys(open).map(function (k) { return open[k]; });
  }

  function renderReviews() {
    var list = pendingReviews();
    var box = $('reviews');
    if (list.length === 0) return box.replaceChildren(h('p', { class: 'empty', text: 'No result waiting for review.' }));
    box.replaceChildren.apply(box, list.map(function (r) {
      var buttons = ['approve', 'reject'].map(function (d) {
        var b = h('button', { type: 'button', 'data-decision': d, text: d === 'approve' ? 'Approve' : 'Reject' });
        b.disabled = !view.live || !view.caps.reviews;
        b.addEventListener('click', function () {
          post('/api/reviews/' + encodeURIComponent(r.reviewId) + '/decision', { decision: d })
            .then(function () { notice((d === 'approve' ? 'Approved ' : 'Rejected ') + r.taskId); }, function (e) { notice(e.message); });
        });
        return b;
      });
      var score = r.score === null || r.score === undefined ? 'no score' : 'score ' + Number(r.score).toFixed(2);
      var output = r.output === undefined ? '' : JSON.stringify(r.output).slice(0, 300);
      return h('div', { class: 'item', 'data-review': r.reviewId }, [
        h('strong', { text: r.taskId + ' · ' + score }), h('div', { class: 'meta', text: (r.reasons || []).join('; ') }),
        h('pre', { text: output })].concat(buttons));
    }));
  }

  function renderGraph(state) {
    var box = $('graph');
    if (state.tasks.length === 0) return box.replaceChildren(h('p', { class: 'empty', text: 'No plan yet.' }));
    if (state.tasks.length > 300) return box.replaceChildren(h('p', { class: 'empty', text: state.tasks.length + ' tasks: too many to draw.' }));
    var byId = {}, depth = {}, columns = [];
    state.tasks.forEach(function (t) { byId[t.id] = t; });
    function depthOf(id, seen) {
      if (depth[id] !== undefined) return depth[id];
      if (seen[id] || !byId[id]) return 0;
      seen[id] = true;
      var d = 0;
      byId[id].dependsOn.forEach(function (p) { d = Math.max(d, depthOf(p, seen) + 1); });
      depth[id] = d;
      return d;
    }
    var pos = {};
    state.tasks.forEach(function (t) {
      var d = depthOf(t.id, {});
      columns[d] = columns[d] || [];
      pos[t.id] = { x: 10 + d * 170, y: 10 + columns[d].length * 40 };
      columns[d].push(t.id);
    });
    var rows = Math.max.apply(null, columns.map(function (c) { return c ? c.length : 0; }));
    var root = svg('svg', { viewBox: '0 0 ' + (columns.length * 170 + 20) + ' ' + (rows * 40 + 20), width: String(columns.length * 170 + 20), role: 'img' });
    var colors = { planned: '#9ca3af', running: '#60a5fa', needs_clarification: '#fbbf24', awaiting_review: '#c084fc', completed: '#4ade80', failed: '#f87171' };
    state.tasks.forEach(function (t) {
      t.dependsOn.forEach(function (p) {
        if (!pos[p]) return;
        root.appendChild(svg('line', { x1: pos[p].x + 140, y1: pos[p].y + 14, x2: pos[t.id].x, y2: pos[t.id].y + 14 }));
      });
    });
    state.tasks.forEach(function (t) {
      var g = svg('g', { 'data-node': t.id, 'data-status': t.status, 'data-open-task': t.id });
      g.appendChild(svg('rect', { x: pos[t.id].x, y: pos[t.id].y, width: 140, height: 28, fill: colors[t.status] || '#ccc' }));
      g.appendChild(svg('text', { x: pos[t.id].x + 6, y: pos[t.id].y + 18, text: t.id.slice(0, 20) }));
      root.appendChild(g);
    });
    box.replaceChildren(root);
  }

${timelineJs}
${drawerJs}
  function render() {
    var s = view.state;
    if (!s) return;
    $('run-status').textContent = s.status;
    $('run-status').setAttribute('data-status', s.status);
    $('goal').textContent = s.goal;
    $('answer').textContent = s.answer || (s.error ? s.error.code + ': ' + s.error.message : '');
    var tasks = shownTasks(s);
    renderRunFigures(s, tasks);
    renderBoard(tasks);
    renderClarifications(tasks);
    renderTaskFilter(s);
    renderReviews();
    renderGraph(s);
    renderTimeline();
  }

  // One state request at a time; a refresh asked for meanwhile runs when it settles, so the board
  // always ends on the latest position of the timeline however slowly the server answers.
  function refresh() {
    if (!view.runId) return;
    if (view.pendingRefresh) { view.refreshAgain = true; return; }
    view.pendingRefresh = true;
    view.refreshAgain = false;
    function settled() {
      view.pendingRefresh = false;
      if (view.refreshAgain) refresh();
    }
    setTimeout(function () {
      var runId = view.runId;
      var path = '/api/runs/' + encodeURIComponent(runId) + '/state' + (view.live ? '' : '?until=' + view.until);
      getJson(path).then(function (state) {
        if (runId === view.runId) {
          view.state = state;
          render();
          if (view.drawer) loadDrawer();
        }
        settled();
      }, function (e) { notice(e.message); settled(); });
    }, 150);
  }

  function loadEvents(runId, from) {
    return getJson('/api/runs/' + encodeURIComponent(runId) + '/events?from=' + from).then(function (page) {
      if (runId !== view.runId) return;
      Array.prototype.push.apply(view.events, page);
      if (page.length >= 5000) return loadEvents(runId, page[page.length - 1].seq + 1);
    });
  }

  function selectRun(runId) {
    if (view.source) view.source.close();
    view.runId = runId;
    view.events = [];
    view.live = true;
    view.state = null;
    view.taskFilter = '';
    closeDrawer();
    loadEvents(runId, 0).then(function () {
      var from = view.events.length ? view.events[view.events.length - 1].seq + 1 : 0;
      var source = new EventSource('/api/stream?runId=' + encodeURIComponent(runId) + '&from=' + from);
      source.addEventListener('event', function (msg) {
        var event = JSON.parse(msg.data);
        var last = view.events[view.events.length - 1];
        if (last && event.seq <= last.seq) return;
        view.events.push(event);
        if (view.live) refresh(); else renderTimeline();
      });
      view.source = source;
      refresh();
    }, function (e) { notice(e.message); });
  }

  $('run-select').addEventListener('change', function (e) { selectRun(e.target.value); });
  $('timeline').addEventListener('input', function (e) {
    var value = Number(e.target.value);
    var last = view.events.length ? view.events[view.events.length - 1].seq : 0;
    view.live = value >= last;
    view.until = value;
    renderTimeline();
    refresh();
  });
  $('go-live').addEventListener('click', function () { view.live = true; view.until = null; refresh(); });
  $('timeline-task').addEventListener('change', function (e) { view.taskFilter = e.target.value; renderTimeline(); });
  document.addEventListener('keydown', function (e) {
    var target = e.target.closest ? e.target.closest('.task[data-open-task]') : null;
    if (target && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); openDrawer(target.getAttribute('data-open-task')); }
  });

  function poll() {
    getJson('/api/runs').then(renderRuns, function (e) { notice(e.message); });
    getJson('/api/metrics').then(renderMetrics, function () {});
  }
  getJson('/api/capabilities').then(function (caps) { view.caps = caps; render(); });
  poll();
  setInterval(poll, 1000);
  if (view.runId) selectRun(view.runId);
})();
`;
