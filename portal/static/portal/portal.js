/* The portal's progressive enhancements: the pages work without them.
 * - countdowns: the time left before each deadline, kept current (server clock);
 * - the documents page: the latest generation's progress, polled every 2 s;
 * - a refused form: focus goes to its error summary. */
(function () {
  "use strict";

  var body = document.body;
  var lang = body.getAttribute("data-lang") || "fr";
  // The server's clock decides deadlines: measure how far this browser's is from it.
  var serverNow = Date.parse(body.getAttribute("data-server-now"));
  var skew = isNaN(serverNow) ? 0 : serverNow - Date.now();

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) {
      return key in values ? values[key] : "";
    });
  }

  function timeLeft(ms) {
    var rtf = new Intl.RelativeTimeFormat(lang, { numeric: "always" });
    var minutes = Math.round(ms / 60000);
    if (Math.abs(minutes) < 60) return rtf.format(minutes, "minute");
    var hours = Math.round(minutes / 60);
    if (Math.abs(hours) < 48) return rtf.format(hours, "hour");
    return rtf.format(Math.round(hours / 24), "day");
  }

  function updateCountdowns() {
    if (!window.Intl || !Intl.RelativeTimeFormat) return;
    var now = Date.now() + skew;
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var left = Date.parse(el.getAttribute("data-countdown")) - now;
      if (left > 0) el.textContent = "(" + timeLeft(left) + ")";
    });
  }
  updateCountdowns();
  setInterval(updateCountdowns, 30000);

  // The process graph scrolls sideways: bring the current step into view.
  document.querySelectorAll(".portal-chart").forEach(function (box) {
    var current = box.querySelector('[data-state="current"]');
    if (!current) return;
    var left = current.getBoundingClientRect().left - box.getBoundingClientRect().left;
    box.scrollLeft = Math.max(0, box.scrollLeft + left - box.clientWidth / 2);
  });

  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();

  var section = document.querySelector("[data-documents-status]");
  var labelsNode = document.getElementById("libelles-documents");
  if (section && labelsNode && window.fetch) {
    var labels = JSON.parse(labelsNode.textContent);
    var url = section.getAttribute("data-documents-status");
    var statusBox = document.getElementById("etat-generation");
    var progress = document.getElementById("progression-generation");
    var list = document.getElementById("liste-pieces");
    var lastKey = null;

    var render = function (data) {
      var job = data.job;
      if (!job) return;
      var key = [job.id, job.status, job.done, job.total].join(":");
      if (key === lastKey) return;
      lastKey = key;
      statusBox.innerHTML = "";
      var p = document.createElement("p");
      var strong = document.createElement("strong");
      strong.setAttribute("data-job-status", job.status);
      strong.textContent = job.status_label;
      p.append(format(labels.job, { n: job.id }) + " : ", strong,
        " — " + job.progress_label);
      statusBox.appendChild(p);
      if (job.error) {
        var err = document.createElement("p");
        err.className = "fr-message fr-message--error";
        err.textContent = job.error;
        statusBox.appendChild(err);
      }
      progress.hidden = false;
      progress.max = Math.max(job.total, 1);
      progress.value = job.done;
      list.innerHTML = "";
      if (!data.documents.length) {
        var empty = document.createElement("li");
        empty.textContent = labels.empty;
        list.appendChild(empty);
      }
      data.documents.forEach(function (doc) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.className = "fr-link fr-icon-download-line fr-link--icon-left";
        a.href = doc.url;
        a.textContent = doc.title + " — v" + doc.version + (doc.uploaded ? " (" + labels.uploaded + ")" : "") + " ";
        var size = document.createElement("span");
        size.className = "fr-text--xs";
        size.textContent = "(.docx, " + format(labels.size, { kb: Math.max(1, Math.round(doc.size / 1024)) }) + ")";
        a.appendChild(size);
        li.appendChild(a);
        list.appendChild(li);
      });
    };

    var poll = function () {
      if (document.hidden) return;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data) render(data); })
        .catch(function () { /* the next poll tries again */ });
    };
    setInterval(poll, 2000);
  }
})();
