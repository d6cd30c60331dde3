// minewatch review: keyboard shortcuts and the entity type-ahead. No framework.
"use strict";
(function () {
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }
  function submit(id) {
    const form = document.getElementById(id);
    if (form) form.requestSubmit();
  }
  function follow(id) {
    const link = document.getElementById(id);
    if (link) window.location.href = link.href;
  }
  function moveRow(step) {
    const rows = Array.from(document.querySelectorAll("#queue tbody tr[data-href]"));
    if (!rows.length) return;
    let at = rows.findIndex((r) => r.classList.contains("current"));
    if (at >= 0) rows[at].classList.remove("current");
    at = Math.min(rows.length - 1, Math.max(0, at + step));
    rows[at].classList.add("current");
    rows[at].scrollIntoView({ block: "nearest" });
  }
  const eventKeys = { a: () => submit("form-confirm"), r: () => submit("form-reject"),
    u: () => submit("form-undo"), j: () => follow("next-link"), k: () => follow("prev-link"),
    e: () => { const d = document.getElementById("correct"); if (d) { d.open = true;
      const s = document.getElementById("entity-search"); if (s) s.focus(); } } };
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    if (document.getElementById("queue")) {
      if (ev.key === "j") moveRow(1);
      else if (ev.key === "k") moveRow(-1);
      else if (ev.key === "Enter") {
        const row = document.querySelector("#queue tr.current");
        if (row) window.location.href = row.dataset.href;
      } else return;
      ev.preventDefault();
      return;
    }
    const action = eventKeys[ev.key];
    if (action) { ev.preventDefault(); action(); }
  });
  const search = document.getElementById("entity-search");
  if (!search) return;
  const options = document.getElementById("entity-options");
  const found = new Map();
  let timer = null;
  search.addEventListener("input", function () {
    const picked = found.get(search.value);
    if (picked) { addParticipant(picked); return; }
    clearTimeout(timer);
    timer = setTimeout(async function () {
      const q = search.value.trim();
      if (!q) return;
      const resp = await fetch("/api/v1/entities?limit=15&q=" + encodeURIComponent(q),
        { credentials: "same-origin" });
      if (!resp.ok) return;
      options.replaceChildren();
      for (const hit of await resp.json()) {
        const label = hit.name + " (" + hit.type + ")";
        found.set(label, hit);
        const opt = document.createElement("option");
        opt.value = label;
        options.appendChild(opt);
      }
    }, 150);
  });
  function addParticipant(hit) {
    const box = document.getElementById("participants");
    const label = document.createElement("label");
    label.className = "chip t-" + hit.type;
    const input = document.createElement("input");
    input.type = "checkbox"; input.name = "participants"; input.value = hit.id; input.checked = true;
    label.append(input, " " + hit.name);
    box.appendChild(label);
    search.value = "";
  }
})();
