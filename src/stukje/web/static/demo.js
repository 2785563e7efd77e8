/*
 * The demo chat: Sam forwards pictures Noor sent. Each forward asks the guard (POST /v1/guard)
 * with the picture's PDQ code, computed here, and shows its nudge or block dialog. The demo
 * switch sends a made-up nudity score so the "intimate" path can be shown with a harmless drawing.
 */
(function () {
  "use strict";
  const { say, api, element } = window.Stukje;
  const $ = (id) => document.getElementById(id);
  const language = document.documentElement.lang;
  const KEY = "stukje-partner-key";
  const DEMO_NUDITY_SCORE = 0.97;

  // Harmless pictures, drawn here so the demo ships no image files.
  const PICTURES = {
    sunset(ctx, w, h) {
      const sky = ctx.createLinearGradient(0, 0, 0, h);
      sky.addColorStop(0, "#2b1055");
      sky.addColorStop(0.6, "#ff7e5f");
      sky.addColorStop(1, "#feb47b");
      ctx.fillStyle = sky;
      ctx.fillRect(0, 0, w, h);
      ctx.fillStyle = "#ffd56b";
      ctx.beginPath();
      ctx.arc(w * 0.62, h * 0.58, h * 0.16, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = "#3b2a4d";
      ctx.beginPath();
      ctx.moveTo(0, h);
      ctx.quadraticCurveTo(w * 0.25, h * 0.5, w * 0.5, h * 0.78);
      ctx.quadraticCurveTo(w * 0.8, h * 0.55, w, h * 0.72);
      ctx.lineTo(w, h);
      ctx.fill();
    },
    boat(ctx, w, h) {
      ctx.fillStyle = "#9fd3f5";
      ctx.fillRect(0, 0, w, h * 0.6);
      ctx.fillStyle = "#1f6fa8";
      ctx.fillRect(0, h * 0.6, w, h * 0.4);
      ctx.fillStyle = "#ffffff";
      for (let x = 0; x < w; x += 36) ctx.fillRect(x, h * 0.7 + (x % 3) * 9, 18, 3);
      ctx.fillStyle = "#8b4513";
      ctx.beginPath();
      ctx.moveTo(w * 0.3, h * 0.6);
      ctx.lineTo(w * 0.7, h * 0.6);
      ctx.lineTo(w * 0.62, h * 0.7);
      ctx.lineTo(w * 0.38, h * 0.7);
      ctx.fill();
      ctx.fillStyle = "#f4f1e8";
      ctx.beginPath();
      ctx.moveTo(w * 0.5, h * 0.18);
      ctx.lineTo(w * 0.5, h * 0.58);
      ctx.lineTo(w * 0.68, h * 0.58);
      ctx.fill();
    },
  };

  function key() {
    return $("partner-key").value.trim();
  }

  function drawPicture(bubble) {
    const name = bubble.dataset.picture;
    const canvas = element("canvas", {
      width: "320", height: "240", role: "img",
      "aria-label": say("picture_alt", { what: say("picture_" + name) }),
    });
    const context = canvas.getContext("2d", { willReadFrequently: true });
    PICTURES[name](context, 320, 240);
    const pixels = context.getImageData(0, 0, 320, 240).data;
    const code = StukjePdq.hashPicture(pixels, 320, 240, 4, "other");
    bubble.dataset.hash = code.hash;
    bubble.dataset.quality = String(code.quality);
    const actions = element("div", { class: "actions" },
      element("button", { class: "button small", type: "button", text: say("forward_to_one"),
        onclick: () => forward(bubble, "one") }),
      element("button", { class: "button small", type: "button", text: say("forward_to_group"),
        onclick: () => forward(bubble, "group") }),
      element("button", { class: "button small", type: "button", text: say("protect"),
        onclick: () => protect(bubble) }));
    bubble.append(canvas, actions);
  }

  function note(text, mine = true) {
    $("chat").append(element("li", { class: mine ? "bubble mine" : "bubble" },
      element("span", { class: "who", text: "Sam" }), text));
    $("chat-status").textContent = text;
  }

  async function protect(bubble) {
    try {
      await api("POST", "/v1/cases", {
        body: { signals: [{ hash: bubble.dataset.hash, quality: Number(bubble.dataset.quality) }], language },
      });
      $("chat-status").textContent = say("protected");
      document.body.dataset.protected = "true";
    } catch (error) {
      $("chat-status").textContent = say("send_failed");
    }
  }

  async function forward(bubble, audience) {
    if (!key()) {
      $("chat-status").textContent = say("demo_need_key");
      $("partner-key").focus();
      return;
    }
    const context = { action: "forward", audience, tier: $("tier").value, locale: language, country: "NL" };
    if (audience === "group") context.group_size = 30;
    const body = { signals: [bubble.dataset.hash], context };
    if ($("demo-intimate").checked) body.nudity_score = DEMO_NUDITY_SCORE;
    let decision;
    try {
      decision = await api("POST", "/v1/guard", { body, key: key() });
    } catch (error) {
      $("chat-status").textContent = say("guard_failed");
      return;
    }
    document.body.dataset.verdict = decision.verdict;
    if (decision.verdict === "allow" || !decision.message) {
      note(say("forwarded"));
      return;
    }
    showDialog(decision, context);
  }

  function showDialog(decision, context) {
    const dialog = $("guard-dialog");
    const message = decision.message;
    dialog.className = decision.verdict;
    dialog.dataset.verdict = decision.verdict;
    dialog.lang = decision.language;
    $("guard-title").textContent = message.title;
    $("guard-body").textContent = message.body;
    $("guard-notes").replaceChildren(...message.notes.map((text) => element("li", { text })));
    $("guard-choices").replaceChildren(...message.choices.map((choice, index) =>
      element("button", {
        class: index === 0 ? "button primary" : "button", type: "button", text: choice.label,
        "data-outcome": choice.outcome,
        onclick: () => answer(decision, context, choice.outcome),
      })));
    $("guard-help-title").textContent = message.help_heading;
    $("guard-help").replaceChildren(...decision.help.map((resource) => {
      const item = element("li", {}, element("a", { href: resource.url, rel: "noreferrer", text: resource.name }));
      if (resource.phone) item.append(" · ", element("a", { href: "tel:" + resource.phone, text: resource.phone }));
      item.append(element("br"), element("span", { class: "hint", text: resource.description }));
      return item;
    }));
    dialog.showModal();
  }

  async function answer(decision, context, outcome) {
    $("guard-dialog").close();
    note(say(outcome === "sent_anyway" ? "forwarded" : "not_forwarded"));
    try {
      await api("POST", "/v1/guard/outcome", {
        key: key(),
        body: { outcome, verdict: decision.verdict, reason: decision.reasons[0],
          action: context.action, tier: decision.tier },
      });
    } catch (error) {
      // Counting is best effort: the person's choice already happened.
    }
  }

  $("partner-key").value = sessionStorage.getItem(KEY) || "";
  $("partner-key").addEventListener("change", () => sessionStorage.setItem(KEY, key()));
  $("settings").addEventListener("submit", (event) => event.preventDefault());
  document.querySelectorAll("[data-picture]").forEach(drawPicture);
  document.body.dataset.ready = "true";
})();
