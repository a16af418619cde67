/**
 * The dashboard's figures, part of `/assets/app.js`: the selected run's (folded from its state,
 * so they agree with the board) and every run's (the Monitor's), each under its own label.
 */
export const figuresJs = `
  function cards(box, list) {
    box.replaceChildren.apply(box, list.map(function (c) {
      var wide = String(c[1]).length > 14 ? ' wide' : '';
      return h('div', { class: 'card' + wide, 'data-metric': c[0] }, [h('div', { class: 'k', text: c[0] }), h('div', { class: 'v', text: String(c[1]) })]);
    }));
  }

  function renderMetrics(m) {
    var kinds = Object.keys(m.latency.byKind);
    var lat = kinds.map(function (k) { var s = m.latency.byKind[k]; return k + ' ' + fmt(s.p50, 1) + '/' + fmt(s.p95, 1) + '/' + fmt(s.p99, 1); }).join(' · ');
    var errors = Object.keys(m.errors.byCode).map(function (c) { return c + ' ' + m.errors.byCode[c]; }).join(' · ');
    cards($('metric-cards'), [
      ['Runs active', m.runs.active], ['Tasks/s', fmt(m.tasks.perSecond, 1)], ['Running', m.tasks.running], ['Queued', m.tasks.queued],
      ['Completed', m.tasks.completed], ['Failed', m.tasks.failed], ['Retries', m.tasks.retries],
      ['Utilisation', m.executor.utilisation === null ? '–' : fmt(m.executor.utilisation * 100) + '%'],
      ['p50/p95/p99 ms', lat || '–'], ['Errors', errors || 'none'],
      ['Tokens in/out', m.model.inputTokens + ' / ' + m.model.outputTokens], ['Cost', '$' + fmt(m.cost.totalUsd, 4)],
      ['Reviews pending', m.reviews.pending], ['Questions open', m.clarifications.pending]
    ]);
    var names = Object.keys(m.circuits);
    $('circuits').textContent = names.length === 0 ? '' : 'Circuits: ' + names.map(function (n) { return n + ' ' + m.circuits[n]; }).join(' · ');
  }

  function renderRunFigures(s, tasks) {
    var count = function (status) { return tasks.filter(function (t) { return t.shown === status; }).length; };
    cards($('run-cards'), [
      ['Tasks', tasks.length], ['Running', count('running')], ['Planned', count('planned')],
      ['Completed', count('completed')], ['Failed', count('failed')],
      ['Questions open', count('needs_clarification')], ['Reviews pending', count('awaiting_review')],
      ['Model calls', s.usage.calls], ['Tokens in/out', s.usage.inputTokens + ' / ' + s.usage.outputTokens],
      ['Cost', '$' + fmt(s.usage.costUsd, 4)]
    ]);
  }
`;
