/*
 * Small SVG bar charts for the helpline dashboard, drawn here (no chart library, nothing
 * fetched from elsewhere). Each chart is an image with a text summary for screen readers.
 */
(function (root) {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";

  function svgElement(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    return node;
  }

  /**
   * bars: [{label, values: [first, second?], title}]; stacked when there are two values.
   * summary: the sentence a screen reader hears instead of the picture.
   */
  function barChart(container, bars, summary) {
    const width = 320;
    const height = 160;
    const bottom = 18;
    const max = Math.max(1, ...bars.map((b) => b.values.reduce((a, v) => a + v, 0)));
    const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": summary });
    const slot = width / Math.max(bars.length, 1);
    bars.forEach((bar, index) => {
      let top = height - bottom;
      bar.values.forEach((value, series) => {
        const h = ((height - bottom - 8) * value) / max;
        top -= h;
        const rect = svgElement("rect", {
          x: index * slot + slot * 0.15, y: top, width: slot * 0.7, height: Math.max(h, 0),
          class: series === 0 ? "bar" : "bar second",
        });
        const title = svgElement("title", {});
        title.textContent = bar.title || `${bar.label}: ${value}`;
        rect.append(title);
        svg.append(rect);
      });
      if (bar.showLabel !== false) {
        const label = svgElement("text", {
          x: index * slot + slot / 2, y: height - 4, "text-anchor": "middle", "font-size": 10,
        });
        label.textContent = bar.label;
        svg.append(label);
      }
    });
    const old = container.querySelector("svg");
    if (old) old.replaceWith(svg);
    else container.querySelector("h3").after(svg);
    return svg;
  }

  root.StukjeCharts = { barChart };
})(window);
