/* The QBI book's decks: reveal.js set up for the book's slides.
 *
 * QbiSlides.start(settings) initialises reveal.js (1280 x 720 slides, the
 * notes plugin for the speaker view, MathJax 3 from the deck's own _static
 * folder) and, once the maths is typeset and the fonts are loaded, shrinks
 * the text of any slide whose content would not fit (down to MIN_FIT of its
 * size; what still does not fit is reported by the test of the slides).
 * When all that is done, <html data-qbi-ready="1"> tells the printer and the
 * test that the deck is ready.
 */
(function () {
  "use strict";
  var MIN_FIT = 0.55;
  // below this scale, long lines of code and wide tables wrap instead
  var WRAP_BELOW = 0.8;

  function overflows(body) {
    return body.scrollHeight > body.clientHeight + 1 || body.scrollWidth > body.clientWidth + 1;
  }

  function withShown(slide, action) {
    // reveal.js hides slides far from the current one; measure them shown
    var changed = [];
    for (var el = slide; el && el.tagName === "SECTION"; el = el.parentElement) {
      if (getComputedStyle(el).display === "none") {
        changed.push([el, el.style.display]);
        el.style.display = el === slide ? "flex" : "block";
      }
    }
    try { return action(); } finally {
      changed.forEach(function (pair) { pair[0].style.display = pair[1]; });
    }
  }

  function largestFit(body) {
    // the largest text scale in [MIN_FIT, 1] at which nothing overflows
    body.style.setProperty("--qbi-fit", "1");
    if (!overflows(body)) return 1;
    var low = MIN_FIT, high = 1;
    body.style.setProperty("--qbi-fit", String(MIN_FIT));
    if (overflows(body)) return MIN_FIT;
    for (var i = 0; i < 8; i++) {
      var mid = (low + high) / 2;
      body.style.setProperty("--qbi-fit", String(mid));
      if (overflows(body)) { high = mid; } else { low = mid; }
    }
    return low;
  }

  function fit(slide) {
    var body = slide.querySelector(":scope > .qbi-body");
    if (!body) return 1;
    return withShown(slide, function () {
      slide.classList.remove("qbi-wrap");
      var best = largestFit(body);
      if (best < WRAP_BELOW) {
        // wrapping the long lines may keep the text larger
        slide.classList.add("qbi-wrap");
        var wrapped = largestFit(body);
        if (wrapped > best) { best = wrapped; } else { slide.classList.remove("qbi-wrap"); }
      }
      body.style.setProperty("--qbi-fit", best.toFixed(3));
      slide.dataset.qbiFit = best.toFixed(3);
      return best;
    });
  }

  function fitAll() {
    document.querySelectorAll(".reveal .slides section.qbi-slide").forEach(fit);
  }

  function start(settings) {
    var staticPath = settings.static;
    // in reveal.js's print view (?print-pdf) the pages are laid out after "ready"
    var printing = /[?&]print-pdf/.test(window.location.search);
    var state = { reveal: false, math: false, pdf: !printing };

    function whenReady() {
      if (!state.reveal || !state.math || !state.pdf) return;
      document.fonts.ready.then(function () {
        // the speaker view shows the notes without MathJax's styles: keep the
        // drawn formulas only (the slides keep their copy for screen readers)
        document.querySelectorAll("aside.notes mjx-assistive-mml").forEach(function (el) { el.remove(); });
        fitAll();
        Reveal.layout();
        document.documentElement.dataset.qbiReady = "1";
      });
    }

    Reveal.on("ready", function () { state.reveal = true; whenReady(); });
    Reveal.on("pdf-ready", function () { state.pdf = true; whenReady(); });
    Reveal.initialize({
      width: 1280,
      height: 720,
      margin: 0.04,
      minScale: 0.2,
      maxScale: 3.0,
      center: false,
      display: "flex",
      hash: true,
      controls: true,
      progress: true,
      slideNumber: "c/t",
      transition: "fade",
      transitionSpeed: "fast",
      // the handout: one page per slide, fragments shown at once
      pdfMaxPagesPerSlide: 1,
      pdfSeparateFragments: false,
      plugins: [RevealNotes, RevealMath.MathJax3],
      mathjax3: {
        mathjax: staticPath + "/mathjax/es5/tex-svg.js",
        tex: {
          inlineMath: [["\\(", "\\)"]],
          displayMath: [["\\[", "\\]"]],
          processEscapes: true
        },
        // SVG with its glyphs inside: the speaker view shows the notes' maths too
        svg: { fontCache: "local" },
        options: {
          skipHtmlTags: ["script", "noscript", "style", "textarea", "pre", "code"],
          ignoreHtmlClass: "tex2jax_ignore|mathjax_ignore"
        },
        startup: {
          ready: function () {
            MathJax.startup.defaultReady();
            MathJax.startup.promise.then(function () {
              state.math = true;
              whenReady();
            });
          }
        }
      }
    });
  }

  window.QbiSlides = { start: start, fit: fit, fitAll: fitAll, MIN_FIT: MIN_FIT };
})();
