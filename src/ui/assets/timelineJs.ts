/**
 * The dashboard's timeline, part of `/assets/app.js`: each event with its time and a one-line
 * detail, filterable by task; the slider replays the run up to an event.
 */
export const timelineJs = `
  function clock(ts) {
    var d = new Date(ts);
    var pad = function (n, w) { return String(n).padStart(w || 2, '0'); };
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3);
  }
  function brief(value, max) {
    if (value === undefined) return '';
    var text = typeof value === 'string' ? value : JSON.stringify(value);
    text = String(text).replace(/\\s+/g, ' ');
    return text.length > (max || 80) ? text.slice(0, max || 80) + '…' : text;
  }
  function ms(n) { return typeof n === 'number' ? (n >= 1000 ? (n / 1000).toFixed(2) + ' s' : n.toFixed(0) + ' ms') : ''; }
  function detailOf(e) {
    var err = e.error ? e.error.code + ': ' + brief(e.error.message, 80) : '';
    switch (e.type) {
      case 'run.started': return brief(e.goal);
      case 'plan.created': case 'plan.revised': return (e.tasks || []).length + ' tasks: ' + (e.tasks || []).map(function (t) { return t.id; }).join(', ');
      case 'plan.rejected': return 'attempt ' + e.attempt + ' ' + err;
      case 'plan.revision_requested': return '“' + brief(e.reason, 80) + '”';
      case 'model.called': return e.model + ' · ' + e.purpose + ' · ' + (e.usage ? e.usage.inputTokens + '→' + e.usage.outputTokens + ' tokens' : '') + ' · ' + ms(e.durationMs) + (e.costUsd ? ' · $' + e.costUsd.toFixed(4) : '');
      case 'model.attempt_failed': return e.model + ' attempt ' + e.attempt + ' ' + err;
      case 'task.started': return 'attempt ' + e.attempt + (e.input !== undefined ? ' · input ' + brief(e.input, 60) : '');
      case 'task.retrying': return 'attempt ' + e.attempt + ' failed, retry in ' + ms(e.delayMs) + ' · ' + err;
      case 'task.completed': return ms(e.durationMs) + ' · ' + brief(e.output, 70);
      case 'task.failed': return err;
      case 'task.clarification_requested': return '“' + brief(e.question, 80) + '”';
      case 'task.answered': return '“' + brief(e.answer, 80) + '”';
      case 'tool.called': return e.tool + ' · ' + ms(e.durationMs) + (e.error ? ' · ' + err : ' · ' + brief(e.output, 50));
      case 'tool.succeeded': return e.tool + ' · ' + brief(e.output, 60);
      case 'judge.scored': return e.verdict + ' · score ' + (e.score === null ? '–' : Number(e.score).toFixed(2)) + (e.reasons && e.reasons.length ? ' · ' + brief(e.reasons.join('; '), 60) : '');
      case 'review.requested': return e.kind + ' review · score ' + (e.score === null ? '–' : Number(e.score).toFixed(2));
      case 'review.decided': return e.decision + (e.note ? ' · ' + brief(e.note, 60) : '');
      case 'run.completed': return brief(e.answer, 100);
      case 'run.failed': return err;
      case 'run.cancelled': return brief(e.reason);
      default: return err || (e.tool ? e.tool : '');
    }
  }

  function renderTaskFilter(state) {
    var select = $('timeline-task');
    var ids = state.tasks.map(function (t) { return t.id; });
    var key = ids.join(',');
    if (select.getAttribute('data-key') === key) return;
    select.setAttribute('data-key', key);
    var current = view.taskFilter;
    select.replaceChildren.apply(select, [h('option', { value: '', text: 'All tasks' })].concat(ids.map(function (id) { return h('option', { value: id, text: id }); })));
    select.value = ids.indexOf(current) >= 0 ? current : '';
  }

  function renderTimeline() {
    var slider = $('timeline');
    var events = view.events;
    var first = events.length ? events[0].seq : 0, last = events.length ? events[events.length - 1].seq : 0;
    slider.min = String(first);
    slider.max = String(last);
    if (view.live) slider.value = String(last);
    var at = view.live ? last : view.until;
    $('timeline-label').textContent = 'seq ' + at + ' / ' + last;
    $('mode').textContent = view.live ? 'live' : 'viewing the past (seq ' + at + ')';
    $('mode').className = 'badge ' + (view.live ? 'live' : 'past');
    var picked = view.taskFilter ? events.filter(function (e) { return e.taskId === view.taskFilter; }) : events;
    var shown = picked.slice(-200);
    $('events').replaceChildren.apply($('events'), shown.map(function (e) {
      var task = e.taskId ? h('button', { type: 'button', class: 'link', 'data-open-task': e.taskId, text: e.taskId }) : null;
      return h('li', { class: e.seq > at ? 'future' : '', 'data-seq': String(e.seq), 'data-type': e.type, 'data-task': e.taskId || '' }, [
        h('time', { text: clock(e.ts) }), h('span', { class: 'type', text: e.type }), task, h('span', { class: 'detail', text: detailOf(e) })
      ]);
    }));
  }
`;
