// Asks before leaving an admin form with changes that were not saved. An editor who follows
// a link, or closes the tab, after typing an article would otherwise lose it without a word.
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
  form.addEventListener("submit", function () {
    changed = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (changed) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
