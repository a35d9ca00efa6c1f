// Rows a poll answers that the page does not show yet (a run imported elsewhere) have no
// element to replace out of band; htmx drops them with "htmx:oobErrorNoTarget". Put each at the
// top of the dashlet's table instead, and let htmx wire its buttons.
document.addEventListener("htmx:oobErrorNoTarget", function (event) {
  var row = event.detail.content;
  var rows = document.getElementById("dashlet-rows");
  if (!rows || !row || row.tagName !== "TR" || !/^run-\d+$/.test(row.id)) return;
  if (document.getElementById(row.id)) return;
  var empty = document.getElementById("no-runs");
  if (empty) empty.remove();
  rows.prepend(row);
  htmx.process(row);
});
