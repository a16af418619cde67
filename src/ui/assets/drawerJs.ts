/**
 * The dashboard's task drawer, part of `/assets/app.js`: everything about one task, read from
 * `/api/runs/:id/tasks/:taskId` (at the seq being viewed when travelling back in time).
 */
export const drawerJs = `
  function block(title, children, attrs) {
    return h('section', Object.assign({ class: 'drawer-part' }, attrs || {}), [h('h3', { text: title })].concat(children));
  }
  function pre(value, attrs) {
    var text = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value, null, 2);
    return h('pre', Object.assign({ text: text }, attrs || {}));
  }
  function line(e, text) {
    return h('li', { 'data-type': e.type }, [h('time', { text: clock(e.ts) }), h('span', { text: ' ' + text })]);
  }

  function renderDrawer(detail) {
    var t = detail.task, events = detail.events;
    $('drawer-title').textContent = t.id;
    $('drawer-status').textContent = t.status;
    $('drawer-status').setAttribute('data-status', t.status);
    var parts = [h('p', { class: 'meta', text: t.kind + (t.tool ? ' · tool ' + t.tool : '') + ' · ' + t.attempts + ' attempt(s)' + (t.dependsOn.length ? ' · after ' + t.dependsOn.join(', ') : '') }), h('p', { text: t.description })];
    var resolved = JSON.stringify(detail.plannedInput) !== JSON.stringify(t.input);
    if (detail.plannedInput !== undefined || t.input !== undefined) {
      parts.push(block('Input', resolved && detail.plannedInput !== undefined
        ? [h('div', { class: 'meta', text: 'as planned' }), pre(detail.plannedInput, { 'data-part': 'planned-input' }), h('div', { class: 'meta', text: 'with references resolved' }), pre(t.input, { 'data-part': 'resolved-input' })]
        : [pre(t.input, { 'data-part': 'input' })], { 'data-section': 'input' }));
    }
    if (t.question !== undefined) parts.push(block('Question', [h('p', { text: t.question }), h('p', { class: 'meta', text: t.answer === undefined ? 'not answered yet' : 'answer: ' + t.answer })], { 'data-section': 'question' }));
    if (t.output !== undefined) parts.push(block('Output', [pre(t.output, { 'data-part': 'output' })], { 'data-section': 'output' }));
    if (t.error !== undefined) parts.push(block('Error', [pre(t.error.code + ': ' + t.error.message, { 'data-part': 'error' })], { 'data-section': 'error' }));
    var attempts = events.filter(function (e) { return e.type === 'task.started' || e.type === 'task.retrying' || e.type === 'task.failed' || e.type === 'task.completed'; });
    parts.push(block('Attempts', [h('ol', { class: 'lines' }, attempts.map(function (e) { return line(e, e.type + ' · ' + detailOf(e)); }))], { 'data-section': 'attempts' }));
    var calls = events.filter(function (e) { return e.type === 'tool.called' || e.type === 'model.called' || e.type === 'subagent.completed'; });
    if (t.kind === 'tool_call') calls = events.filter(function (e) { return e.type === 'task.completed' || e.type === 'tool.succeeded'; }).slice(-1).map(function (e) { return Object.assign({}, e, { type: 'tool.called', tool: t.tool }); }).concat(calls);
    parts.push(block('Tool and model calls', calls.length === 0 ? [h('p', { class: 'empty', text: 'None.' })] : [h('ol', { class: 'lines' }, calls.map(function (e) { return line(e, e.type + ' · ' + detailOf(e)); }))], { 'data-section': 'calls' }));
    var verdicts = events.filter(function (e) { return e.type === 'judge.scored' || e.type === 'review.requested' || e.type === 'review.decided'; });
    parts.push(block('Judge verdicts and reviews', verdicts.length === 0 ? [h('p', { class: 'empty', text: 'None.' })] : [h('ol', { class: 'lines' }, verdicts.map(function (e) { return line(e, e.type + ' · ' + detailOf(e)); }))], { 'data-section': 'verdicts' }));
    $('drawer-body').replaceChildren.apply($('drawer-body'), parts);
  }

  function loadDrawer() {
    var taskId = view.drawer, runId = view.runId;
    if (!taskId || !runId) return;
    var path = '/api/runs/' + encodeURIComponent(runId) + '/tasks/' + encodeURIComponent(taskId) + (view.live ? '' : '?until=' + view.until);
    getJson(path).then(function (detail) {
      if (view.drawer === taskId && view.runId === runId) renderDrawer(detail);
    }, function (e) { $('drawer-body').replaceChildren(h('p', { class: 'empty', text: e.message })); });
  }

  function openDrawer(taskId) {
    view.drawer = taskId;
    $('drawer').hidden = false;
    document.body.classList.add('drawer-open');
    $('drawer-body').replaceChildren(h('p', { class: 'empty', text: 'Loading…' }));
    loadDrawer();
  }
  function closeDrawer() {
    view.drawer = null;
    $('drawer').hidden = true;
    document.body.classList.remove('drawer-open');
  }
  $('drawer-close').addEventListener('click', closeDrawer);
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && view.drawer) closeDrawer(); });
  document.addEventListener('click', function (e) {
    var target = e.target.closest ? e.target.closest('[data-open-task]') : null;
    if (target) openDrawer(target.getAttribute('data-open-task'));
  });
`;
