/** The dashboard's stylesheet, served as `/assets/app.css`. */
export const appCss = `
:root { color-scheme: light dark; --bg: #0f1115; --panel: #181b22; --line: #2a2f3a; --text: #e6e8ee;
  --muted: #9aa3b2; --planned: #6b7280; --running: #3b82f6; --needs_clarification: #f59e0b;
  --completed: #22c55e; --failed: #ef4444; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--text); }
header { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 10px 16px; border-bottom: 1px solid var(--line); }
header select { max-width: 100%; }
header h1 { font-size: 18px; margin: 0 12px 0 0; }
select, button, textarea, input { font: inherit; }
select, textarea { background: var(--panel); color: var(--text); border: 1px solid var(--line); border-radius: 4px; }
button { background: #2563eb; color: white; border: 0; border-radius: 4px; padding: 4px 10px; cursor: pointer; }
button[data-decision="reject"] { background: #b91c1c; }
main { padding: 12px 16px; display: grid; gap: 14px; grid-template-columns: minmax(0, 1fr); }
h2 small { text-transform: none; letter-spacing: 0; font-weight: normal; }
#answer { white-space: pre-wrap; overflow-wrap: anywhere; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
h2 { font-size: 14px; margin: 0 0 8px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.badge { padding: 2px 8px; border-radius: 10px; background: var(--line); font-size: 12px; }
.badge.live { background: #166534; } .badge.past { background: #92400e; }
.badge[data-status="completed"] { background: var(--completed); color: #000; }
.badge[data-status="failed"], .badge[data-status="cancelled"] { background: var(--failed); }
.badge[data-status="running"], .badge[data-status="planning"] { background: var(--running); }
#notice { color: #fbbf24; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; }
.card { border: 1px solid var(--line); border-radius: 4px; padding: 6px 8px; }
.card .k { color: var(--muted); font-size: 12px; } .card .v { font-size: 18px; font-variant-numeric: tabular-nums; }
.card.wide { grid-column: span 3; } .card.wide .v { font-size: 13px; }
.board { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 8px; }
.column[data-column="stopped"] { border-color: var(--muted); }
.column { border-top: 3px solid var(--line); min-height: 60px; }
.column h3 { font-size: 12px; margin: 4px 0; color: var(--muted); }
.column[data-column="planned"] { border-color: var(--planned); } .column[data-column="running"] { border-color: var(--running); }
.column[data-column="needs_clarification"] { border-color: var(--needs_clarification); }
.column[data-column="awaiting_review"] { border-color: #c084fc; }
.column[data-column="completed"] { border-color: var(--completed); } .column[data-column="failed"] { border-color: var(--failed); }
.task { border: 1px solid var(--line); border-radius: 4px; padding: 4px 6px; margin: 4px 0; font-size: 12px; cursor: pointer; overflow-wrap: anywhere; }
.task:hover, .task:focus { border-color: var(--running); outline: none; }
#graph g[data-open-task] { cursor: pointer; }
.task .id { font-weight: 600; } .task .meta { color: var(--muted); }
.item { border: 1px solid var(--line); border-radius: 4px; padding: 6px 8px; margin: 6px 0; }
.item textarea { width: 100%; min-height: 40px; margin: 4px 0; }
.timeline-bar { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; }
#timeline { flex: 1; }
.events { max-height: 320px; overflow: auto; font: 12px/1.5 ui-monospace, monospace; margin: 8px 0 0; padding: 0; list-style: none; }
.events li { display: flex; flex-wrap: wrap; gap: 8px; padding: 1px 0; border-bottom: 1px solid var(--line); }
.events time, .lines time { color: var(--muted); }
.events .type { font-weight: 600; }
.events .detail { overflow-wrap: anywhere; min-width: 0; }
button.link { background: none; color: #93c5fd; padding: 0; text-decoration: underline; font: inherit; }
#drawer { position: fixed; top: 0; right: 0; bottom: 0; width: min(560px, 100vw); overflow: auto; background: var(--panel);
  border-left: 1px solid var(--line); padding: 10px 14px; box-shadow: -8px 0 24px rgba(0, 0, 0, .4); z-index: 10; }
#drawer[hidden] { display: none; }
@media (min-width: 1000px) { body.drawer-open main { margin-right: min(560px, 50vw); } }
#drawer header { padding: 0 0 8px; gap: 8px; }
#drawer header h2 { margin: 0; font-size: 16px; color: var(--text); text-transform: none; }
#drawer-close { margin-left: auto; }
.drawer-part h3 { font-size: 12px; color: var(--muted); margin: 10px 0 4px; text-transform: uppercase; }
.drawer-part pre, .item pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--bg); padding: 6px; border-radius: 4px; margin: 2px 0; max-height: 320px; overflow: auto; }
.lines { margin: 0; padding-left: 18px; font-size: 12px; }
.lines li { overflow-wrap: anywhere; }
textarea:disabled, button:disabled { opacity: .5; cursor: not-allowed; }
@media (max-width: 600px) {
  main { padding: 8px; }
  header { padding: 8px; }
  .card.wide { grid-column: auto; }
  .cards { grid-template-columns: repeat(auto-fill, minmax(120px, 1fr)); }
}
.events li.future { opacity: .35; }
#graph svg { max-width: 100%; height: auto; }
#graph rect { rx: 4; stroke: var(--line); }
#graph text { fill: #000; font-size: 11px; }
#graph line { stroke: var(--muted); stroke-width: 1; }
.empty { color: var(--muted); font-style: italic; }
`;
