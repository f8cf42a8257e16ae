/* The day's pages (#17 check-in): scanning badges on /checkin with the phone's camera or a
   chosen photo (decoded by the vendored jsQR), posting the code with the page's CSRF token and
   showing the answer; typing a code posts the same way. The arrivals list (/checkin) and the
   live view (/sessions/<S>/live) refresh themselves by fetch every 10 seconds, no reload.
   No inline script: the Content-Security-Policy allows scripts from this site only. */
(function () {
  'use strict';
  var REFRESH_MS = 10000;

  function text(el, value) { if (el) { el.textContent = value; } }

  function getJSON(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); });
  }

  // ---- arrivals list (check-in page) --------------------------------------------------------
  var arrivalsBox = document.querySelector('[data-arrivals]');
  function refreshArrivals() {
    if (!arrivalsBox) { return; }
    getJSON(arrivalsBox.getAttribute('data-arrivals')).then(function (data) {
      var body = arrivalsBox.querySelector('[data-arrivals-body]');
      var notYet = arrivalsBox.getAttribute('data-not-yet');
      body.textContent = '';
      data.arrivals.forEach(function (a) {
        var row = document.createElement('tr');
        row.setAttribute('data-code', a.code);
        row.className = a.at ? 'arrived' : 'not-yet';
        var who = document.createElement('td');
        who.textContent = a.name + ' ';
        var code = document.createElement('span');
        code.className = 'muted code';
        code.textContent = a.code;
        who.appendChild(code);
        var when = document.createElement('td');
        when.textContent = a.at || notYet;
        row.appendChild(who);
        row.appendChild(when);
        body.appendChild(row);
      });
      text(arrivalsBox.querySelector('[data-arrived-count]'), String(data.checked_in));
      text(arrivalsBox.querySelector('[data-expected-count]'), String(data.expected));
    }).catch(function () { /* offline for a moment: the next tick tries again */ });
  }
  if (arrivalsBox) { window.setInterval(refreshArrivals, REFRESH_MS); }

  // ---- scanning and typing ------------------------------------------------------------------
  var scan = document.querySelector('[data-scan]');
  if (scan) {
    var result = scan.querySelector('[data-scan-result]');
    var video = scan.querySelector('[data-scan-video]');
    var startButton = scan.querySelector('[data-scan-start]');
    var stopButton = scan.querySelector('[data-scan-stop]');
    var canvas = document.createElement('canvas');
    var context = canvas.getContext('2d', { willReadFrequently: true });
    var stream = null;
    var busy = false;
    var last = { code: '', at: 0 };

    var show = function (ok, message) {
      result.textContent = message;
      result.className = 'scan-result ' + (ok ? 'ok' : 'error');
    };

    var post = function (code, method) {
      var form = new FormData();
      form.append('csrf', scan.getAttribute('data-csrf'));
      form.append('code', code);
      form.append('method', method);
      if (scan.getAttribute('data-session')) { form.append('session', scan.getAttribute('data-session')); }
      busy = true;
      return fetch(scan.getAttribute('data-post'), {
        method: 'POST', body: form, credentials: 'same-origin',
        headers: { Accept: 'application/json' }
      }).then(function (r) {
        return r.json().then(function (data) { show(Boolean(data.ok), data.message); });
      }).catch(function () {
        show(false, scan.getAttribute('data-offline'));
      }).then(function () { busy = false; refreshArrivals(); });
    };

    var decode = function (width, height) {
      var pixels = context.getImageData(0, 0, width, height);
      return window.jsQR(pixels.data, width, height, { inversionAttempts: 'attemptBoth' });
    };

    var tick = function () {
      if (!stream) { return; }
      if (!busy && video.readyState >= 2 && video.videoWidth) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var found = decode(canvas.width, canvas.height);
        var now = Date.now();
        // the same badge held in front of the camera is one scan, not one per frame
        if (found && found.data && (found.data !== last.code || now - last.at > 5000)) {
          last = { code: found.data, at: now };
          post(found.data, 'scan');
        }
      }
      window.setTimeout(tick, 150);
    };

    var stop = function () {
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      stream = null;
      video.hidden = true;
      stopButton.hidden = true;
      startButton.hidden = false;
    };

    startButton.addEventListener('click', function () {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        show(false, scan.getAttribute('data-no-camera'));
        return;
      }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.hidden = false;
          startButton.hidden = true;
          stopButton.hidden = false;
          return video.play();
        })
        .then(tick)
        .catch(function () { stop(); show(false, scan.getAttribute('data-no-camera')); });
    });
    stopButton.addEventListener('click', stop);

    scan.querySelector('[data-scan-file]').addEventListener('change', function (event) {
      var file = event.target.files && event.target.files[0];
      if (!file) { return; }
      // read as a data: URL (the Content-Security-Policy allows data: images, not blob:)
      var reader = new FileReader();
      var image = new Image();
      image.onload = function () {
        // a large photo is scaled down: jsQR is quicker and no less sure at ~1000 px
        var scale = Math.min(1, 1000 / Math.max(image.naturalWidth, image.naturalHeight));
        canvas.width = Math.round(image.naturalWidth * scale);
        canvas.height = Math.round(image.naturalHeight * scale);
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        var found = decode(canvas.width, canvas.height);
        if (found && found.data) { post(found.data, 'scan'); } else { show(false, scan.getAttribute('data-not-found')); }
        event.target.value = '';
      };
      image.onerror = function () { show(false, scan.getAttribute('data-not-found')); };
      reader.onload = function () { image.src = reader.result; };
      reader.readAsDataURL(file);
    });

    var typed = document.querySelector('[data-typed]');
    if (typed) {
      typed.addEventListener('submit', function (event) {
        var field = typed.querySelector('input[name=code]');
        if (!field.value.trim()) { return; }
        event.preventDefault();
        post(field.value.trim(), 'typed').then(function () { field.value = ''; });
      });
    }
  }

  // ---- the organiser's live view ------------------------------------------------------------
  var live = document.querySelector('[data-live]');
  function fillList(list, items, line) {
    list.textContent = '';
    if (!items.length) {
      var none = document.createElement('li');
      none.className = 'muted';
      none.textContent = live.getAttribute('data-none');
      list.appendChild(none);
    }
    items.forEach(function (item) {
      var li = document.createElement('li');
      li.textContent = line(item);
      list.appendChild(li);
    });
  }
  function refreshLive() {
    getJSON(live.getAttribute('data-live')).then(function (v) {
      var notYet = live.getAttribute('data-not-yet');
      text(live.querySelector('[data-live-now]'), v.now.slice(11, 19));
      text(live.querySelector('[data-live-checked-in]'), String(v.checked_in));
      text(live.querySelector('[data-live-expected]'), String(v.expected));
      text(live.querySelector('[data-live-running-count]'), String(v.running.length));
      text(live.querySelector('[data-live-no-shows]'), String(v.no_shows));
      text(live.querySelector('[data-live-late-count]'), String(v.late.length));
      text(live.querySelector('[data-live-free-count]'), String(v.free_tables.length));
      text(live.querySelector('[data-live-slot]'), v.slot
        ? v.slot.number + ' (' + v.slot.starts + '–' + v.slot.ends + ')'
        : live.getAttribute('data-no-slot'));
      fillList(live.querySelector('[data-live-running]'), v.running, function (r) {
        return r.table + ' · ' + r.institution + ' × ' + r.project;
      });
      fillList(live.querySelector('[data-live-late]'), v.late, function (p) {
        return p.name + ' ' + p.code + ' · ' + p.first_meeting + ' → ' + (p.arrived || notYet);
      });
      text(live.querySelector('[data-live-free]'),
        v.free_tables.length ? v.free_tables.join('、') : live.getAttribute('data-none'));
    }).catch(function () { /* the next tick tries again */ });
  }
  if (live) { window.setInterval(refreshLive, REFRESH_MS); }
})();
