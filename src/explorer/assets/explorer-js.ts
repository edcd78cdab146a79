/**
 * The explorer's one script, served from the package. It only enhances: the timeline chart above the
 * trail (Chart.js, served locally), bars that narrow the filter to their time when clicked, and the
 * environments' sparklines. Every page works without it.
 */
export const EXPLORER_JS = `
'use strict';
(function () {
  var COLORS = { user: '#0b5cad', guest: '#b35900', agent: '#116329', api_key: '#8250df', unknown: '#6e7781' };
  var HOUR = 3600000, DAY = 86400000;
  function drawTimeline(canvas) {
    var total = document.querySelector('.timeline-total');
    fetch(canvas.dataset.src, { headers: { accept: 'application/json' } }).then(function (r) {
      if (!r.ok) throw new Error('timeline: HTTP ' + r.status);
      return r.json();
    }).then(function (t) {
      if (total) total.textContent = t.total + ' events match' + (t.total ? ', per ' + t.bucket + ':' : '.');
      if (!t.total) { canvas.parentElement.hidden = true; return; }
      var types = Object.keys(t.series);
      var chart = new Chart(canvas, {
        type: 'bar',
        data: {
          labels: t.buckets.map(function (b) { return t.bucket === 'hour' ? b.slice(0, 13).replace('T', ' ') + 'h' : b.slice(0, 10); }),
          datasets: types.map(function (type) { return { label: type, data: t.series[type], backgroundColor: COLORS[type] || '#6e7781', stack: 'events' }; })
        },
        options: {
          maintainAspectRatio: false, animation: false,
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
          onClick: function (_e, elements) {
            if (!elements.length) return;
            var start = t.buckets[elements[0].index];
            var end = new Date(Date.parse(start) + (t.bucket === 'hour' ? HOUR : DAY)).toISOString();
            var params = new URLSearchParams(canvas.dataset.filter);
            params.set('from', start); params.set('to', end); params.delete('before');
            window.location.href = canvas.dataset.page + '?' + params.toString();
          }
        }
      });
      canvas.dataset.bars = String(t.buckets.length);
      canvas.dataset.drawn = 'true';
      window.__timeline = { chart: chart, timeline: t };
    }).catch(function (error) {
      if (total) total.textContent = 'The chart could not be drawn: ' + error.message;
    });
  }
  function drawSpark(canvas) {
    var values = canvas.dataset.series.split(',').map(Number);
    new Chart(canvas, {
      type: 'line',
      data: { labels: values.map(function (_v, i) { return i; }), datasets: [{ data: values, borderColor: '#0b5cad', borderWidth: 1.5, pointRadius: 0, fill: false }] },
      options: { responsive: false, animation: false, events: [], plugins: { legend: { display: false }, tooltip: { enabled: false } }, scales: { x: { display: false }, y: { display: false, beginAtZero: true } } }
    });
    canvas.dataset.drawn = 'true';
  }
  function start() {
    if (typeof Chart === 'undefined') return;
    var timeline = document.getElementById('timeline');
    if (timeline) drawTimeline(timeline);
    document.querySelectorAll('canvas.spark').forEach(drawSpark);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
`;
