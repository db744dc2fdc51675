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
    relabel(select, option ? option.dataset.family : null);
  }
  // The intensity choices of the same row, worded on the chosen act's family scale ("1 concern" is K's).
  function relabel(select, family) {
    const scales = JSON.parse(select.dataset.scales || "{}");
    const labels = scales[family];
    const row = select.closest("tr") || select.closest("fieldset") || document;
    const intensity = row.querySelector('select[name$="intensity"]');
    if (!intensity || !labels) return;
    Array.from(intensity.options).forEach((option) => {
      const level = parseInt(option.value, 10);
      if (!Number.isNaN(level) && labels[level]) option.textContent = labels[level];
    });
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
