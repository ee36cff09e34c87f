/* The call editor: live totals of the grid's weights, and the draft saved every few
   seconds while it changes (progressive enhancement: without this script the form's
   button saves, and the server checks everything again). */
(function () {
  "use strict";
  var form = document.getElementById("editeur-appel");
  if (!form) { return; }
  var totals = document.getElementById("totaux-grille");
  var status = document.getElementById("etat-sauvegarde");
  var commonsKinds = (totals && totals.dataset.commonsKinds || "").split(" ");

  function number(text) {
    var value = parseFloat(String(text || "").replace(/[\s\u00a0\u202f]/g, "").replace(",", "."));
    return isNaN(value) ? 0 : value;
  }
  function shown(value) {
    return (Math.round(value * 100) / 100).toLocaleString("fr-FR");
  }
  function updateTotals() {
    if (!totals) { return; }
    var sums = {total: 0, commons: 0, price: 0, environment: 0};
    form.querySelectorAll("[data-criterion]").forEach(function (row) {
      var weight = row.querySelector("input[name$='-weight']");
      var kind = row.querySelector("select[name$='-kind']");
      var removed = row.querySelector("input[name$='-DELETE']");
      if (!weight || (removed && removed.checked)) { return; }
      var w = number(weight.value);
      sums.total += w;
      if (kind && commonsKinds.indexOf(kind.value) >= 0) { sums.commons += w; }
      if (kind && kind.value === "price") { sums.price += w; }
      if (kind && kind.value === "environment") { sums.environment += w; }
    });
    document.getElementById("total-poids").textContent = shown(sums.total);
    document.getElementById("total-communs").textContent = shown(sums.commons);
    document.getElementById("total-prix").textContent = shown(sums.price);
    document.getElementById("total-environnement").textContent = shown(sums.environment);
    totals.classList.toggle("portal-total--wrong", Math.abs(sums.total - 100) > 0.001);
  }

  var dirty = false;
  var saving = false;
  function save() {
    if (!dirty || saving) { return; }
    saving = true;
    dirty = false;
    var data = new FormData(form);
    data.append("autosave", "1");
    fetch(form.dataset.autosave, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.json();
    }).then(function (answer) {
      status.textContent = answer.message || "";
      if (answer.preview) {
        document.getElementById("apercu-procedure").innerHTML = answer.preview;
      }
    }).catch(function () {
      dirty = true;
    }).finally(function () {
      saving = false;
    });
  }

  var pending = null;
  function later() {
    dirty = true;
    window.clearTimeout(pending);
    pending = window.setTimeout(save, 3000);
  }
  form.addEventListener("input", function (event) {
    later();
    if (event.target.matches("input[name$='-weight']")) { updateTotals(); }
  });
  form.addEventListener("change", function () {
    later();
    updateTotals();
  });
  form.addEventListener("submit", function () {
    dirty = false;
    window.clearTimeout(pending);
  });
  window.setInterval(save, 30000);

  // A row more in a formset (a lot, a resource, a criterion), numbered after the others.
  form.querySelectorAll("[data-add-row]").forEach(function (button) {
    var kind = button.dataset.addRow;
    var template = form.querySelector("template[data-row-template='" + kind + "']");
    var rows = form.querySelector("[data-rows='" + kind + "']");
    var total = form.querySelector("#id_" + template.dataset.prefix + "-TOTAL_FORMS");
    if (!template || !rows || !total) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = total.value;
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, index);
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(Number(index) + 1);
      var first = row.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });
  });
  updateTotals();
})();
