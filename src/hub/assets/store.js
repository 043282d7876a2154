// lmp hub store: small enhancements on top of pages that work without JavaScript.
// Copy buttons (navigator.clipboard, with a selection + execCommand fallback) and package
// tabs that switch without a reload (the tab links still work as plain links).
(function () {
  "use strict";

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return fallbackCopy(text);
      });
    }
    return fallbackCopy(text);
  }

  function setupCopy(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    var label = button.querySelector("span");
    if (!target || !label) return;
    button.addEventListener("click", function () {
      copyText(target.textContent).then(
        function () { flash(button, label, "Copied!"); },
        function () { flash(button, label, "Press Ctrl+C"); selectText(target); }
      );
    });
  }

  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function flash(button, label, text) {
    label.textContent = text;
    button.classList.add("copied");
    button.setAttribute("data-copied", "true");
    window.setTimeout(function () {
      label.textContent = "Copy";
      button.classList.remove("copied");
    }, 2000);
  }

  function setupTabs(nav) {
    var links = nav.querySelectorAll("a[data-tab]");
    function show(name, push) {
      var found = false;
      links.forEach(function (link) {
        var active = link.getAttribute("data-tab") === name;
        var panel = document.getElementById("panel-" + link.getAttribute("data-tab"));
        if (active) {
          link.setAttribute("aria-current", "page");
          found = true;
        } else {
          link.removeAttribute("aria-current");
        }
        if (panel) panel.hidden = !active;
      });
      if (found && push) {
        var url = new URL(window.location.href);
        url.searchParams.set("tab", name);
        window.history.pushState({ tab: name }, "", url.toString());
      }
    }
    links.forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        show(link.getAttribute("data-tab"), true);
      });
    });
    window.addEventListener("popstate", function () {
      var tab = new URL(window.location.href).searchParams.get("tab") || "overview";
      show(tab, false);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".copy-button[data-copy]").forEach(setupCopy);
    document.querySelectorAll("nav.tabs").forEach(setupTabs);
  });
})();
