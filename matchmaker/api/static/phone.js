/* The day on a phone (#17), kept out of the pages (the Content-Security-Policy allows scripts from
   this site only):
   - the header's menu opens and closes behind one button (aria-expanded says which);
   - the service worker (/sw.js) is registered; a page it served from its copy while offline
     shows when it was last updated;
   - a form marked data-offline="queue" is kept on the phone when it cannot be sent, and sent
     once when the connection is back;
   - the organiser's grid opens a meeting's details and actions in a <dialog> by tap, and asks
     before a cancel. */
(function () {
  'use strict';
  var QUEUE = 'matchmaker.offline-queue';

  // ---- menu ------------------------------------------------------------------------------
  function toggleMenu(button, open) {
    var menu = document.getElementById(button.getAttribute('aria-controls'));
    if (!menu) { return; }
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    menu.classList.toggle('open', open);
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('.menu-button');
    if (button) {
      toggleMenu(button, button.getAttribute('aria-expanded') !== 'true');
    }
  });
  document.addEventListener('keydown', function (event) {
    var button = document.querySelector('.menu-button[aria-expanded=true]');
    if (event.key === 'Escape' && button) { toggleMenu(button, false); button.focus(); }
  });

  // ---- offline copy ----------------------------------------------------------------------
  if ('serviceWorker' in navigator && window.isSecureContext) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function () {
      /* no worker (private mode, old browser): the pages work online as before */
    });
  }
  function showStamp() {
    if (document.body && document.body.getAttribute('data-served') === 'cache') {
      var stamp = document.querySelector('.offline-stamp');
      if (stamp) { stamp.hidden = false; }
    }
  }

  // ---- offline queue ---------------------------------------------------------------------
  function readQueue() {
    try { return JSON.parse(window.localStorage.getItem(QUEUE) || '[]'); } catch (e) { return []; }
  }
  function writeQueue(items) { window.localStorage.setItem(QUEUE, JSON.stringify(items)); }
  function keyOf(fields) {
    for (var i = 0; i < fields.length; i += 1) {
      if (fields[i][0] === 'client_key') { return fields[i][1]; }
    }
    return '';
  }
  function say(kind, extra) {
    var box = document.querySelector('.offline-queue');
    if (!box) { return; }
    box.textContent = (box.getAttribute('data-' + kind) || '') + (extra || '');
    box.setAttribute('data-state', kind);
    box.hidden = false;
  }
  function keep(action, fields) {
    var key = keyOf(fields);
    var items = readQueue().filter(function (item) { return !key || item.key !== key; });
    items.push({ key: key, action: action, fields: fields, saved: Date.now() });
    writeQueue(items);
    say('saved');
  }
  /* Take one item out of the queue before sending it, so that two replays (two tabs, an
     `online` event during a page load) never send it twice; put it back only when the network
     failed. The server also treats a repeated client_key as done. */
  function take(key) {
    var items = readQueue();
    var found = null;
    writeQueue(items.filter(function (item) {
      if (!found && item.key === key) { found = item; return false; }
      return true;
    }));
    return found;
  }
  function post(action, fields) {
    var body = new URLSearchParams();
    fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    return fetch(action, { method: 'POST', body: body, credentials: 'same-origin', redirect: 'follow' });
  }
  function refusal(response) {
    return response.text().then(function (html) {
      var page = new DOMParser().parseFromString(html, 'text/html');
      var found = page.querySelector('[data-testid=notice], .error, [role=alert], main');
      return found ? found.textContent.trim().replace(/\s+/g, ' ').slice(0, 200) : String(response.status);
    });
  }
  /* Show the page a sent form answered with, in place (every handler of these pages listens on
     the document, so the new body works as a loaded one would). */
  function show(response) {
    return response.text().then(function (html) {
      var page = new DOMParser().parseFromString(html, 'text/html');
      document.title = page.title;
      document.body.innerHTML = page.body.innerHTML;
      if (response.url && response.url !== window.location.href) {
        window.history.pushState(null, '', response.url);
      }
      window.scrollTo(0, 0);
    });
  }
  var replaying = false;
  function replay() {
    if (replaying || !navigator.onLine) { return Promise.resolve(); }
    var keys = readQueue().map(function (item) { return item.key; });
    if (!keys.length) { return Promise.resolve(); }
    replaying = true;
    var sent = 0;
    var chain = Promise.resolve();
    keys.forEach(function (key) {
      chain = chain.then(function () {
        var item = take(key);
        if (!item) { return null; }  // another tab has sent it
        return post(item.action, item.fields).then(function (response) {
          if (response.status >= 500) {  // the server's trouble, not the request's: try later
            var items = readQueue(); items.push(item); writeQueue(items);
            return null;
          }
          if (response.status >= 400) {  // refused (4xx): said once, not sent again
            return refusal(response).then(function (text) { say('refused', text); });
          }
          sent += 1;
          return null;
        }, function () {  // no network after all: keep it for the next time
          var items = readQueue(); items.push(item); writeQueue(items);
        });
      });
    });
    return chain.then(function () {
      replaying = false;
      if (sent) {
        say('sent');
        document.body.setAttribute('data-queue-sent', String(sent));
      }
    }, function () { replaying = false; });
  }
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.matches || !form.matches('form[data-offline=queue]')) { return; }
    var fields = [];
    new FormData(form, event.submitter || undefined).forEach(function (value, name) {
      if (typeof value === 'string') { fields.push([name, value]); }
    });
    // not form.action: a field named "action" (the answer buttons) would stand in its place
    var action = new URL(form.getAttribute('action') || '', window.location.href).href;
    if (!navigator.onLine) {
      event.preventDefault();
      keep(action, fields);
      return;
    }
    // online: send it ourselves, so that a connection dropping on the way keeps the form
    // instead of losing it; the answer is shown as the browser would have shown it
    event.preventDefault();
    post(action, fields).then(show, function () { keep(action, fields); });
  });
  window.addEventListener('online', replay);

  // ---- the organiser's grid: a meeting's dialog by tap -----------------------------------
  function step(dialog, name) {
    Array.prototype.forEach.call(dialog.querySelectorAll('.dialog-step'), function (part) {
      part.hidden = part.getAttribute('data-step') !== name;
    });
  }
  document.addEventListener('click', function (event) {
    var target = event.target.closest ? event.target : null;
    if (!target) { return; }
    var opener = target.closest('[data-dialog]');
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute('data-dialog'));
      if (dialog && dialog.showModal) { step(dialog, 'choose'); dialog.showModal(); }
      return;
    }
    var ask = target.closest('dialog [data-ask]');
    if (ask) {  // a destructive action shows its confirmation step instead of being sent
      event.preventDefault();
      step(ask.closest('dialog'), ask.getAttribute('data-ask'));
      return;
    }
    var back = target.closest('dialog [data-back]');
    if (back) { step(back.closest('dialog'), back.getAttribute('data-back')); }
  });

  function ready() { showStamp(); replay(); }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', ready);
  } else {
    ready();
  }
})();
