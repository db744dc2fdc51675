// The statement form: the speakers' roles on the date as soon as both are chosen, and the first error in view.
"use strict";
(function () {
  const $ = window.django && window.django.jQuery;

  function showRoles() {
    const box = document.querySelector(".speaker-roles");
    const speakers = document.getElementById("id_speakers");
    const date = document.getElementById("id_date");
    if (!box || !speakers || !date) return;
    const url = new URL(box.dataset.url, window.location.href);
    Array.from(speakers.selectedOptions).forEach((option) => url.searchParams.append("speaker", option.value));
    url.searchParams.set("date", date.value);
    // Answers may arrive out of order: only the last question's answer is shown.
    const asked = ++showRoles.asked;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => { if (data && asked === showRoles.asked) box.innerHTML = data.html; });
  }

  showRoles.asked = 0;

  function firstErrorInView() {
    const banner = document.querySelector("p.errornote");
    if (!banner) return;
    document.querySelectorAll(".inline-related tr.form-row, .inline-related fieldset").forEach((row) => {
      if (row.querySelector(".errorlist")) row.classList.add("has-errors");
      const previous = row.previousElementSibling;
      if (previous && previous.classList.contains("row-form-errors")) row.classList.add("has-errors");
    });
    const first = Array.from(document.querySelectorAll("ul.errorlist")).find((list) => list.offsetParent !== null);
    if (!first) return;
    first.id = first.id || "first-error";
    const link = document.createElement("a");
    link.href = "#" + first.id;
    link.textContent = " Go to the first error.";
    link.className = "first-error-link";
    banner.appendChild(link);
    first.scrollIntoView({ block: "center" });
  }

  document.addEventListener("DOMContentLoaded", function () {
    firstErrorInView();
    // A form sent back with errors has speakers and a date that were never saved: show their roles now.
    const speakers = document.getElementById("id_speakers");
    if (speakers && speakers.selectedOptions.length && !document.querySelector("#id_speakers[disabled]")) showRoles();
    const date = document.getElementById("id_date");
    if (date) ["change", "input", "blur"].forEach((name) => date.addEventListener(name, showRoles));
    if ($) $(document).on("change", "#id_speakers", showRoles);
    // The calendar and "Today" set the date without an event: look again when they are used.
    document.addEventListener("click", function (event) {
      if (event.target.closest(".datetimeshortcuts, .calendarbox")) setTimeout(showRoles, 50);
    });
  });
})();
