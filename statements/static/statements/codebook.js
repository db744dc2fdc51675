// Under each stance tag's category select, the codebook's description of the chosen act (the option's title).
"use strict";
(function () {
  function describe(select) {
    let note = select.parentElement.querySelector(".codebook-note");
    if (!note) {
      note = document.createElement("div");
      note.className = "codebook-note help";
      select.insertAdjacentElement("afterend", note);
    }
    const option = select.options[select.selectedIndex];
    note.textContent = option && option.title ? option.title : "";
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("select.codebook-category")) describe(event.target);
  });
  document.addEventListener("formset:added", function (event) {
    event.target.querySelectorAll("select.codebook-category").forEach(describe);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select.codebook-category").forEach(function (select) {
      if (!select.closest(".empty-form")) describe(select);
    });
  });
})();
