/*
 * The hashing page: photos are hashed here, shown back as local thumbnails with their codes,
 * and only the codes are sent to open a case. The case number and PIN are shown once.
 */
(function () {
  "use strict";
  const { say, api, element, copyText, hashFile, submissionSignals, pause, limits } = window.Stukje;
  const $ = (id) => document.getElementById(id);
  const language = document.documentElement.lang;
  const photos = [];
  let counter = 0;

  function signals() {
    return photos.filter((p) => p.hash).flatMap((p) => submissionSignals(p));
  }

  function payload() {
    return { signals: signals(), language };
  }

  function render() {
    const all = signals();
    const hashed = photos.filter((p) => p.hash).length;
    const tooMany = all.length > limits.perCase;
    $("picked").hidden = photos.length === 0;
    $("sent").hidden = photos.length === 0;
    $("codes-summary").textContent = hashed === 0 ? "" : say("codes_summary", {
      codes: all.length, photos: hashed, per: Math.round(all.length / hashed),
    });
    $("too-many").hidden = !tooMany;
    $("too-many").textContent = tooMany ? say("too_many_codes", {
      max: limits.perCase.toLocaleString(language),
      photos: Math.floor(limits.perCase / Math.max(1, Math.round(all.length / hashed))),
    }) : "";
    $("payload").textContent = JSON.stringify(payload(), null, 1);
    $("send").disabled = all.length === 0 || tooMany;
  }

  function photoItem(photo) {
    const item = element("li", { class: "photo", "data-name": photo.name });
    if (photo.thumbnail) {
      photo.thumbnail.setAttribute("role", "img");
      photo.thumbnail.setAttribute("aria-label", say("photo_alt", { n: photo.number }));
      photo.thumbnail.className = "thumb";
      item.append(photo.thumbnail);
    }
    const body = element("div", { class: "photo-body" });
    if (photo.hash) {
      item.dataset.hash = photo.hash;
      item.dataset.quality = String(photo.quality);
      item.dataset.codes = photo.signals.map((signal) => signal.hash).join(" ");
      // What each code is of (plain, flip_left_right, crop 0.90 2 4, ...); never sent.
      item.dataset.labels = photo.signals.map((signal) => signal.label).join("|");
      body.append(element("p", { class: "code-label", text: say("code") }),
        element("code", { class: "code", text: photo.hash }));
      if (photo.signals.length > 1) {
        body.append(element("p", { class: "hint", text: say("more_codes", { n: photo.signals.length - 1 }) }));
      }
      if (photo.quality < 50) body.append(element("p", { class: "warning", text: say("low_quality") }));
    } else {
      item.dataset.error = "unreadable";
      body.append(element("p", { class: "warning", text: say("unreadable") }));
    }
    body.append(element("button", {
      class: "button small", type: "button", text: say("remove"),
      "aria-label": say("remove") + " " + say("photo_alt", { n: photo.number }),
      onclick: () => {
        photos.splice(photos.indexOf(photo), 1);
        item.remove();
        document.body.dataset.hashed = String(photos.length);
        render();
      },
    }));
    item.append(body);
    return item;
  }

  async function addFiles(files) {
    const progress = $("hash-progress");
    progress.hidden = false;
    for (const [index, file] of files.entries()) {
      // Said once per photo (a live region read out at every step would drown a screen reader);
      // the bar shows the steps in between.
      $("hash-status").textContent = say("hashing_photo", { n: index + 1, total: files.length });
      progress.value = 0;
      await pause(); // let the page repaint before the work starts
      const photo = { name: file.name, number: ++counter };
      try {
        Object.assign(photo, await hashFile(file, {
          onProgress: (done, total) => { progress.value = done / total; },
        }));
      } catch (error) {
        photo.error = String(error);
      }
      photos.push(photo);
      $("photo-list").append(photoItem(photo));
      render();
    }
    progress.hidden = true;
    $("hash-status").textContent = say("hashing_done", { n: files.length });
    document.body.dataset.hashed = String(photos.length);
  }

  function showReceipt(created) {
    $("case-number").textContent = created.case_number;
    $("case-pin").textContent = created.pin;
    const text = say("download_text", { case: created.case_number, pin: created.pin });
    $("download").href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    sessionStorage.setItem("stukje-case", JSON.stringify(created));
    $("receipt").hidden = false;
    $("sent").hidden = true;
    $("choose").hidden = true;
    $("picked").hidden = true;
    $("receipt").focus();
  }

  // The API takes at most limits.perRequest codes per request: the first batch opens the
  // case, the rest go in with its new PIN.
  async function send() {
    $("send").disabled = true;
    $("send-status").textContent = say("sending");
    try {
      const all = signals();
      const batch = limits.perRequest;
      const created = await api("POST", "/v1/cases", {
        body: { signals: all.slice(0, batch), language },
      });
      for (let start = batch; start < all.length; start += batch) {
        await api("POST", "/v1/cases/" + encodeURIComponent(created.case_number) + "/signals", {
          body: { pin: created.pin, signals: all.slice(start, start + batch) },
        });
      }
      $("send-status").textContent = "";
      showReceipt({ case_number: created.case_number, pin: created.pin });
    } catch (error) {
      $("send-status").textContent = say("send_failed");
      $("send").disabled = false;
    }
  }

  $("photos").addEventListener("change", async (event) => {
    const files = Array.from(event.target.files);
    event.target.value = ""; // drop the page's hold on the files once hashed
    await addFiles(files);
  });
  $("send").addEventListener("click", send);
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", () => copyText($(button.dataset.copy).textContent, button));
  });
  document.body.dataset.ready = "true";
})();
