/**
 * The dashboard page. It loads only `/assets/app.css` and `/assets/app.js` from the same
 * server: no CDN, so it works offline and ships inside the package.
 */
export const indexHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>troupe dashboard</title>
<link rel="icon" type="image/svg+xml" href="/favicon.svg">
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<header>
  <h1>troupe</h1>
  <label>Run <select id="run-select" aria-label="Run"></select></label>
  <span id="run-status" class="badge" data-status="none">no run</span>
  <span id="mode" class="badge live">live</span>
  <span id="notice" role="status"></span>
</header>
<main>
  <section id="goal-section"><h2>Goal</h2><p id="goal"></p><h2>Answer</h2><p id="answer"></p></section>
  <section id="run-figures" aria-label="This run"><h2>This run</h2><div id="run-cards" class="cards"></div></section>
  <section aria-label="Task board"><h2>Tasks</h2><div id="board" class="board"></div></section>
  <section aria-label="Clarifications"><h2>Open clarifications</h2><div id="clarifications"></div></section>
  <section aria-label="Reviews"><h2>Review queue</h2><div id="reviews"></div></section>
  <section aria-label="Task graph"><h2>Task graph</h2><div id="graph"></div></section>
  <section aria-label="Timeline"><h2>Timeline</h2>
    <div class="timeline-bar">
      <input id="timeline" type="range" min="0" max="0" value="0" aria-label="Replay the run up to event">
      <span id="timeline-label">seq 0</span>
      <button id="go-live" type="button">Live</button>
      <label>Task <select id="timeline-task" aria-label="Show the events of one task"><option value="">All tasks</option></select></label>
    </div>
    <ol id="events" class="events"></ol>
  </section>
  <section id="metrics" aria-label="All runs"><h2>All runs <small>every run the Monitor has seen in this log</small></h2>
    <div id="metric-cards" class="cards"></div><div id="circuits"></div></section>
</main>
<aside id="drawer" aria-label="Task details" hidden>
  <header><h2 id="drawer-title"></h2><span id="drawer-status" class="badge"></span>
    <button id="drawer-close" type="button" aria-label="Close the task details">Close</button></header>
  <div id="drawer-body"></div>
</aside>
<script src="/assets/app.js"></script>
</body>
</html>
`;
