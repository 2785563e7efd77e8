/*
 * The case page: look a case up with its number and PIN (sent in a header, never in the URL),
 * see what partners did with matches, and withdraw the case.
 */
(function () {
  "use strict";
  const { say, api, element } = window.Stukje;
  const $ = (id) => document.getElementById(id);
  const ACTIONS = ["blocked", "not_blocked", "pending_review", "false_positive"];

  function problem(error) {
    if (error.status === 429) return say("too_many");
    if ([401, 403, 404, 422].includes(error.status)) return say("wrong_pin");
    return say("lookup_failed");
  }

  function show(view) {
    $("shown-number").textContent = say("case_number") + " " + view.case_number;
    $("status").textContent = say("status_" + view.status);
    $("signal-count").textContent = String(view.signal_count);
    $("match-count").textContent = String(view.match_count);
    const list = $("actions");
    list.replaceChildren();
    for (const action of ACTIONS) {
      const count = view.partner_actions[action] || 0;
      if (count) list.append(element("li", { text: say("action_" + action) + ": " + count }));
    }
    if (!list.children.length) list.append(element("li", { text: say("no_actions") }));
    $("withdraw").hidden = view.status !== "active";
    $("case").hidden = false;
    document.body.dataset.caseStatus = view.status;
  }

  async function lookup(event) {
    if (event) event.preventDefault();
    $("case-status").textContent = "";
    try {
      show(await api("GET", "/v1/cases/" + encodeURIComponent($("number").value.trim()), {
        headers: { "X-Case-Pin": $("pin").value.trim() },
      }));
      $("case").focus();
    } catch (error) {
      $("case").hidden = true;
      $("case-status").textContent = problem(error);
    }
  }

  async function withdraw() {
    if (!window.confirm(say("withdraw_confirm"))) return;
    try {
      const view = await api("POST", "/v1/cases/" + encodeURIComponent($("number").value.trim())
        + "/withdraw", { body: { pin: $("pin").value.trim() } });
      show(view);
      $("case-status").textContent = say("withdrawn_done");
    } catch (error) {
      $("case-status").textContent = problem(error);
    }
  }

  $("lookup").addEventListener("submit", lookup);
  $("withdraw").addEventListener("click", withdraw);
  // Coming straight from the hashing page in this tab: fill in what was just shown, once.
  const fresh = sessionStorage.getItem("stukje-case");
  if (fresh) {
    sessionStorage.removeItem("stukje-case");
    const created = JSON.parse(fresh);
    $("number").value = created.case_number;
    $("pin").value = created.pin;
    lookup();
  }
  document.body.dataset.ready = "true";
})();
