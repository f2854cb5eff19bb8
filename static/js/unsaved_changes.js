// Asks before leaving an admin form with changes that were not saved. An editor who follows
// a link, or closes the tab, after typing an article would otherwise lose it without a word.
// For the same reason, a save made after the editor was signed out stays on the page.
(function () {
  "use strict";
  var form = document.querySelector("#content-main form");
  if (!form) {
    return;
  }
  // A form sent back with errors has not been saved either, though its fields hold the text.
  var changed = document.querySelector(".errornote, .errorlist") !== null;
  function markChanged() {
    changed = true;
  }
  form.addEventListener("input", markChanged);
  form.addEventListener("change", markChanged);
  // The admin's autocomplete boxes (people, organisations) announce a choice through
  // jQuery; not by "change", which they also send as they start up.
  if (window.django && window.django.jQuery) {
    window.django.jQuery(form).on("select2:select select2:unselect select2:clear", markChanged);
  }
  // The admin's calendar and clock set a date or time without an input event; their boxes
  // sit outside the form, and redraw as they are clicked, so the click is seen on its way
  // down. (The links that only open them have ids.)
  document.addEventListener(
    "click",
    function (event) {
      var picked = ".datetimeshortcuts a:not([id]), .calendarbox td a, .clockbox li a";
      if (event.target.closest(picked)) {
        markChanged();
      }
    },
    true
  );

  // A save sent after the editor was signed out (the sign-in ran out, or they signed out in
  // another tab) went to the sign-in page, and what they had typed was lost. So ask first
  // whether the editor is still signed in; if not, keep the page as it is and say how to sign
  // in again without leaving it. The admin's home page answers a signed-out editor with a
  // redirect to the sign-in page. Its address comes from the script tag, as the pop-up
  // windows for adding a person or an organisation have no header to link to it.
  var script = document.currentScript;
  var home =
    script && script.dataset.adminHome ? new URL(script.dataset.adminHome, location.href) : null;
  var checked = false;
  var checking = false;

  function stillSignedIn() {
    return fetch(home.href, { redirect: "manual", credentials: "same-origin" }).then(
      function (response) {
        return response.type !== "opaqueredirect";
      },
      function () {
        return true; // the site cannot be reached: let the browser say so, as before
      }
    );
  }

  // Signing in again (in another tab) replaces the token that protects forms from other
  // sites (CSRF); the one on this page would be refused, so send the current one.
  function useCurrentToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    var cookie = document.cookie.split("; ").filter(function (pair) {
      return pair.indexOf("csrftoken=") === 0;
    })[0];
    if (input && cookie) {
      input.value = decodeURIComponent(cookie.slice("csrftoken=".length));
    }
  }

  function saySignedOut() {
    var note = document.querySelector("#signed-out-note");
    if (!note) {
      note = document.createElement("p");
      note.id = "signed-out-note";
      note.className = "errornote";
      note.setAttribute("role", "alert");
      var link = document.createElement("a");
      var next = encodeURIComponent(new URL(home.href).pathname);
      link.href = new URL("login/?next=" + next, home.href);
      link.target = "_blank";
      link.textContent = "Sign in again in a new tab";
      note.append(
        "You have been signed out (the sign-in ran out, or you signed out in another tab), " +
          "so nothing has been saved yet. What you typed is still here. ",
        link,
        ", then come back here and save again."
      );
      form.prepend(note);
    }
    note.scrollIntoView();
  }

  form.addEventListener("submit", function (event) {
    if (checked || !home) {
      changed = false;
      return;
    }
    event.preventDefault();
    if (checking) {
      return; // a second press while asking
    }
    checking = true;
    var submitter = event.submitter;
    stillSignedIn().then(function (signedIn) {
      checking = false;
      if (!signedIn) {
        saySignedOut();
        return;
      }
      var note = document.querySelector("#signed-out-note");
      if (note) {
        note.remove();
      }
      useCurrentToken();
      checked = true;
      form.requestSubmit(submitter);
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (changed) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
