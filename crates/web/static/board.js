// The pipeline board without its forms: drag a card onto another column to move the deal.
// The card's own move form is submitted with the column's stage, so the server checks the
// move exactly as when the form is used, and refuses it with the same reasons. Without
// JavaScript, or without a pointer, the form on each card does the same.
(() => {
  const board = document.querySelector(".board");
  if (!board) return;
  let dragged = null;
  for (const card of board.querySelectorAll("li")) {
    const form = card.querySelector("form");
    if (!form) continue;
    card.draggable = true;
    card.addEventListener("dragstart", (event) => {
      dragged = form;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.querySelector("a").textContent);
      card.classList.add("dragging");
    });
    card.addEventListener("dragend", () => {
      card.classList.remove("dragging");
      dragged = null;
    });
  }
  for (const column of board.querySelectorAll("section[data-stage]")) {
    column.addEventListener("dragover", (event) => {
      if (!dragged) return;
      event.preventDefault();
      column.classList.add("drop");
    });
    column.addEventListener("dragleave", () => column.classList.remove("drop"));
    column.addEventListener("drop", (event) => {
      event.preventDefault();
      column.classList.remove("drop");
      if (!dragged) return;
      const select = dragged.querySelector("select[name=stage]");
      if (select.value === column.dataset.stage) return;
      select.value = column.dataset.stage;
      dragged.requestSubmit();
    });
  }
})();
