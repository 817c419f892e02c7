// site.js: the keyboard shortcuts of every page.
//
//   n / p   next / previous page (the page's <link rel="next|prev">)
//   a       add a client (step pages)
//   ?       show or hide the list of shortcuts
//
// Keys typed into a field, or with Ctrl, Alt or Meta held, are left alone.
(() => {
  "use strict";

  function typing(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) return;
    const go = (rel) => {
      const link = document.querySelector(`link[rel="${rel}"]`);
      if (link) location.href = link.href;
    };
    switch (event.key) {
      case "n":
        go("next");
        break;
      case "p":
        go("prev");
        break;
      case "a":
        document.getElementById("add-client")?.click();
        break;
      case "?": {
        const dialog = document.getElementById("shortcuts");
        if (dialog.open) dialog.close();
        else dialog.showModal();
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  });
})();

// A form with data-confirm (resetting progress) asks first.
document.addEventListener("submit", (event) => {
  const question = event.target instanceof HTMLFormElement && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
