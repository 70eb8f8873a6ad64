// The flame page's behaviour, in the browser: d3-flame-graph draws, this file wires the controls to it. It reads the
// page's data from the inert <script type="application/json" id="vigil-flame-data"> block (no inline script, so the
// Content-Security-Policy can forbid them).
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('vigil-flame-data').textContent);
  var chartElement = document.getElementById('chart');
  var typeSelect = document.getElementById('sample-type');
  var searchInput = document.getElementById('search');
  var hideToggle = document.getElementById('hide-idle');
  var details = document.getElementById('details');
  var chart;

  function formatValue(value, unit) {
    var size = Math.abs(value);
    if (unit === 'nanoseconds') return size >= 1e9 ? (value / 1e9).toFixed(2) + ' s' : (value / 1e6).toFixed(2) + ' ms';
    if (unit === 'bytes') {
      if (size >= 1048576) return (value / 1048576).toFixed(2) + ' MiB';
      if (size >= 1024) return (value / 1024).toFixed(1) + ' KiB';
      return value + ' B';
    }
    return String(value) + (unit && unit !== 'count' ? ' ' + unit : '');
  }

  // The tree without the frames the toggle hides, wherever they are (e.g. "Node.js" > "Non JS threads activity"):
  // their values leave every ancestor's, and frames left with nothing are dropped.
  function prune(node, hidden) {
    var removed = 0;
    var removedDelta = 0;
    var children = [];
    node.children.forEach(function (child) {
      if (hidden.indexOf(child.name) >= 0) {
        removed += child.value;
        removedDelta += child.delta || 0;
        return;
      }
      var kept = prune(child, hidden);
      removed += child.value - kept.value;
      removedDelta += (child.delta || 0) - (kept.delta || 0);
      if (kept.value > 0) children.push(kept);
    });
    var copy = Object.assign({}, node, { children: children, value: node.value - removed });
    if (node.delta !== undefined) copy.delta = node.delta - removedDelta;
    return copy;
  }

  function visibleRoot(graph) {
    return hideToggle.checked ? prune(graph.root, data.hidden) : graph.root;
  }

  // Ready (for people taking screenshots, and tests) once d3's transitions have run: d3 keeps a node's pending
  // transitions in its __transition property until they end.
  function markReadyWhenSettled() {
    document.body.removeAttribute('data-ready');
    var check = function () {
      var busy = Array.prototype.some.call(chartElement.querySelectorAll('g, rect, div'), function (n) {
        return n.__transition !== undefined;
      });
      if (busy) window.requestAnimationFrame(check);
      else document.body.setAttribute('data-ready', 'true');
    };
    window.requestAnimationFrame(check);
  }

  function draw() {
    var graph = data.graphs[Number(typeSelect.value)];
    if (!graph) {
      document.body.setAttribute('data-ready', 'true');
      return;
    }
    var root = visibleRoot(graph);
    var total = root.value || 1;
    chartElement.textContent = '';
    chart = window.flamegraph
      .default()
      .width(Math.max(600, chartElement.clientWidth))
      .cellHeight(18)
      .minFrameSize(1)
      .transitionDuration(300)
      .sort(true)
      .title('')
      .setSearchMatch(function (d, term) {
        return term !== '' && d.data.name.toLowerCase().indexOf(term.toLowerCase()) >= 0;
      })
      .setDetailsElement(details)
      .setLabelHandler(function (d) {
        var where = d.data.file ? ' ' + d.data.file + (d.data.line ? ':' + d.data.line : '') : '';
        var change =
          d.data.delta !== undefined
            ? ', change ' + (d.data.delta > 0 ? '+' : '') + formatValue(Math.round(d.data.delta), graph.unit)
            : '';
        return (
          d.data.name +
          where +
          ' — ' +
          formatValue(d.value, graph.unit) +
          ' (' +
          ((100 * d.value) / total).toFixed(2) +
          ' %' +
          change +
          ')'
        );
      })
      .setSearchHandler(function (results, sum) {
        details.textContent = searchInput.value
          ? 'search "' +
            searchInput.value +
            '": ' +
            results.length +
            ' frames, ' +
            formatValue(sum, graph.unit) +
            ' (' +
            ((100 * sum) / total).toFixed(2) +
            ' %)'
          : '';
      });
    if (data.differential) chart.setColorMapper(window.flamegraph.colorMapper.differentialColorMapper);
    window.d3.select(chartElement).datum(root).call(chart);
    document.getElementById('total').textContent = graph.label + ': ' + formatValue(root.value, graph.unit) + ' in all';
    if (searchInput.value) chart.search(searchInput.value);
    markReadyWhenSettled();
  }

  typeSelect.addEventListener('change', draw);
  hideToggle.addEventListener('change', draw);
  searchInput.addEventListener('input', function () {
    if (searchInput.value) chart.search(searchInput.value);
    else chart.clear();
  });
  document.getElementById('reset-zoom').addEventListener('click', function () {
    chart.resetZoom();
    markReadyWhenSettled();
  });
  chartElement.addEventListener('click', markReadyWhenSettled);
  draw();
})();
