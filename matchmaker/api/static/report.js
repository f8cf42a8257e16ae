/* The report page's charts, drawn by the vendored ECharts from the report embedded in the page
   (#report-data: the same dict GET /api/v1/reports/funnel returns), so chart and JSON agree.
   Amounts stay integer yuan in the series; only the axis and labels show 万元. */
(function () {
  'use strict';
  var source = document.getElementById('report-data');
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var labels = JSON.parse(document.getElementById('report-labels').textContent);
  var total = data.total;
  var STEPS = ['follow_ups', 'negotiating', 'signed', 'due_diligence', 'invested'];
  var COLOURS = ['#98a2b3', '#53b1fd', '#2e90fa', '#b42318', '#f79009', '#067647'];
  var font = 'system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';

  function wan(yuan) {  // 12000000 → "1,200"; the unit (万元) is the axis name
    return (yuan / 10000).toLocaleString('zh-CN', { maximumFractionDigits: 4 });
  }

  var funnelData = [{ name: labels.meetings_held, value: total.meetings_held }].concat(
    STEPS.map(function (step) { return { name: labels[step], value: total[step].count }; })
  );
  var funnel = echarts.init(document.getElementById('funnel-chart'));
  funnel.setOption({
    animation: false,
    color: COLOURS,
    textStyle: { fontFamily: font },
    tooltip: { trigger: 'item', formatter: '{b}' + labels.colon + '{c}' },
    series: [{
      name: labels.funnel,
      type: 'funnel',
      sort: 'none',  // the steps' own order, even where a later step outnumbers an earlier one
      left: '12%', width: '76%', top: 10, bottom: 10,
      minSize: '30%',
      gap: 3,
      label: { show: true, position: 'inside', formatter: '{b}  {c}', color: '#fff', fontSize: 14 },
      labelLine: { show: false },
      itemStyle: { borderWidth: 0 },
      data: funnelData
    }]
  });

  var box = document.getElementById('amount-chart');
  var bars = null;
  if (box) {
    box.style.height = box.dataset.height + 'px';  // one bar row per group (set here: CSP)
    var groups = data.groups;
    bars = echarts.init(box);
    bars.setOption({
      animation: false,
      textStyle: { fontFamily: font },
      color: ['#b42318', '#067647'],
      legend: { top: 0, data: [labels.signed_amount, labels.invested_amount] },
      grid: { left: 16, right: 72, top: 36, bottom: 30, containLabel: true },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: function (items) {  // HTML: every text in it is escaped (labels are names users typed)
          var g = groups[items[0].dataIndex];
          var esc = echarts.format.encodeHTML;
          function count(n) { return esc(labels.count.replace('{count}', String(n))); }
          return esc(g.label) + '<br>' + esc(labels.signed_amount) + esc(labels.colon) +
            esc(g.signed.amount_text || '0') + count(g.signed.count) + '<br>' +
            esc(labels.invested_amount) + esc(labels.colon) +
            esc(g.invested.amount_text || '0') + count(g.invested.count);
        }
      },
      xAxis: {
        type: 'value',
        name: labels.axis,
        nameLocation: 'middle',
        nameGap: 26,
        axisLabel: { formatter: wan }
      },
      yAxis: {
        type: 'category',
        inverse: true,  // largest signed amount first, as the report orders the groups
        data: groups.map(function (g) { return g.label; }),
        axisLabel: { width: 150, overflow: 'truncate' }
      },
      series: [
        {
          name: labels.signed_amount,
          type: 'bar',
          data: groups.map(function (g) { return g.signed.amount; }),
          label: {
            show: true, position: 'right',
            formatter: function (p) { return p.value ? groups[p.dataIndex].signed.amount_text : ''; }
          }
        },
        {
          name: labels.invested_amount,
          type: 'bar',
          data: groups.map(function (g) { return g.invested.amount; }),
          label: {
            show: true, position: 'right',
            formatter: function (p) { return p.value ? groups[p.dataIndex].invested.amount_text : ''; }
          }
        }
      ]
    });
  }
  window.addEventListener('resize', function () {
    funnel.resize();
    if (bars) { bars.resize(); }
  });
}());
