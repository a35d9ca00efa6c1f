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

// A Send that corrects the books, and a Withdraw, answer first with a question — the preview of
// the vouchers, what is reversed — swapped in out of band as <dialog id="dashlet-dialog"
// data-open>. Show it as a modal; its Cancel closes it (method="dialog"), its confirm answers
// with an empty dialog that replaces (and so closes) it.
document.addEventListener("htmx:load", function (event) {
  var dialog = event.detail.elt;
  if (!dialog || dialog.id !== "dashlet-dialog" || !dialog.hasAttribute("data-open")) return;
  if (!dialog.open && typeof dialog.showModal === "function") dialog.showModal();
});
