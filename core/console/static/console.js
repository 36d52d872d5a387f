// grunndata console: a little plain JavaScript, no build step. Everything works without it,
// except the live progress bar (the page can be reloaded by hand instead).
(function () {
  "use strict";

  // Filters: changing a select submits its form.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Long reads: say what is going on, and keep a second click from sending the form twice.
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = true;
        button.textContent = form.getAttribute("data-busy");
      }
    });
  });

  // Oppsett: standard projects not allowed under the chosen master (R7) cannot be picked.
  var select = document.getElementById("standard_project");
  function allowStandardProjects() {
    if (!select || select.tagName !== "SELECT") return;
    var checked = document.querySelector("input[name=master]:checked");
    var master = checked ? checked.value : "";
    Array.prototype.forEach.call(select.options, function (option) {
      var ruled = (option.getAttribute("data-rule-masters") || "").split(" ");
      var allowed = (option.getAttribute("data-allowed") || "").split(" ");
      option.disabled = option.value !== "" && ruled.indexOf(master) >= 0 && allowed.indexOf(master) < 0;
    });
  }
  document.querySelectorAll("input[name=master]").forEach(function (radio) {
    radio.addEventListener("change", allowStandardProjects);
  });
  allowStandardProjects();

  // Oppsett: narrow the list of projects while typing.
  document.querySelectorAll("input[data-filters]").forEach(function (input) {
    var target = document.getElementById(input.getAttribute("data-filters"));
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(target.options, function (option) {
        option.hidden = needle !== "" && option.value !== "" && option.text.toLowerCase().indexOf(needle) < 0;
      });
    });
  });

  // A writing run: poll its JSON until it is over, then show the outcome.
  var progress = document.querySelector("[data-job]");
  if (progress) {
    var url = progress.getAttribute("data-job");
    var bar = document.getElementById("job-bar");
    var count = document.getElementById("job-count");
    var poll = function () {
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.json(); })
        .then(function (job) {
          if (job.total !== null) { bar.max = Math.max(job.total, 1); }
          bar.value = job.done;
          count.textContent = job.done + (job.total !== null ? " av " + job.total : "");
          if (job.status !== "running") { window.location.reload(); return; }
          window.setTimeout(poll, 400);
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    };
    window.setTimeout(poll, 200);
  }
})();
