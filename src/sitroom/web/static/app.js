// sitroom web app: progressive enhancement only. Every page works without this file.
// 1. figure.map[data-map] (a static SVG map) becomes an interactive Leaflet map when the
//    vendored Leaflet is present: country outlines from /api/basemap (no tile server), places
//    from /api/map as circles sized by mentions, and (world and events maps) a layer of events
//    from /api/events/map, one marker each with a popup; a control switches the two layers.
// 2. On a document page, following a link to a fact (#fig-120) outlines every piece of it.
// Text from the database is only ever inserted with textContent.
(function () {
  "use strict";

  var ZOOM = { country: 4, region: 3, admin: 5, city: 5 };

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }

  function tip(text) {
    var el = document.createElement("span");
    el.className = "map-tip";
    el.textContent = text;
    return el;
  }

  function fmt(x) {
    return x === null || x === undefined ? "?" : Number(x).toLocaleString("en");
  }

  function range(lo, hi) {
    if (lo === null && hi === null) { return null; }
    return lo === hi || hi === null ? fmt(lo) : (lo === null ? fmt(hi) : fmt(lo) + "–" + fmt(hi));
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  function when(p) {
    var iso = /^\d{4}(-\d{2}(-\d{2})?)?$/;
    if (p.date && iso.test(p.date)) {
      return p.date_end && p.date_end !== p.date && iso.test(p.date_end) ? p.date + " – " + p.date_end : p.date;
    }
    if (p.date && p.date.indexOf("-W") > 0 && p.day) { return "week of " + p.day; }
    return p.day ? p.day + " (publication date)" : "undated";
  }

  // The popup of one event: every piece of text set with textContent.
  function eventPopup(f) {
    var p = f.properties;
    var box = el("div", "event-popup");
    box.appendChild(el("p", "meta", when(p)));
    var what = p.plover_type + (p.plover_mode ? " / " + p.plover_mode : "");
    box.appendChild(el("p", "what", what + (p.acled_sub_event_type ? " · " + p.acled_sub_event_type : "")));
    var who = (p.source_actor || "unnamed") + (p.target_actor ? " → " + p.target_actor : "");
    box.appendChild(el("p", "who", who));
    if (p.place_name) { box.appendChild(el("p", "meta", "at " + p.place_name + (p.country_code ? ", " + p.country_code : ""))); }
    var tolls = [["dead", p.dead_low, p.dead_high], ["injured", p.injured_low, p.injured_high],
                 ["arrested", p.arrested_low, p.arrested_high]];
    var counts = [];
    tolls.forEach(function (t) { var r = range(t[1], t[2]); if (r !== null) { counts.push(r + " " + t[0]); } });
    if (counts.length) {
      var c = el("p", "tolls", counts.join(", "));
      if (!p.agree) { c.appendChild(el("span", "badge bad", "reports disagree")); }
      box.appendChild(c);
    }
    var link = el("a", null, p.reports + (p.reports === 1 ? " report" : " reports") + " from " + p.sources +
                  (p.sources === 1 ? " source" : " sources") + " →");
    link.href = "/events?id=" + encodeURIComponent(f.id);
    var more = el("p");
    more.appendChild(link);
    box.appendChild(more);
    return box;
  }

  // One marker per event; events at the same place are set around it on a spiral (in pixels, so
  // they stay apart at every zoom).
  function eventLayer(query, bounds, done) {
    var layer = window.L.layerGroup();
    getJSON("/api/events/map" + (query ? "?" + query : "")).then(function (geo) {
      var seen = {};
      geo.features.forEach(function (f) {
        var lon = f.geometry.coordinates[0], lat = f.geometry.coordinates[1];
        var key = lat + "," + lon;
        var k = seen[key] = (seen[key] || 0) + 1;
        var dx = 0, dy = 0;
        if (k > 1) {  // a Fermat spiral: neighbours about 20 px apart however many there are
          var radius = 11 * Math.sqrt(k - 1), angle = (k - 1) * 2.39996;
          dx = Math.round(Math.cos(angle) * radius);
          dy = Math.round(Math.sin(angle) * radius);
        }
        var inner = el("span");
        var cls = "event-marker t-" + f.properties.plover_type.toLowerCase() + (f.properties.agree ? "" : " disagree");
        var icon = window.L.divIcon({ className: cls, html: inner, iconSize: [14, 14], iconAnchor: [7 - dx, 7 - dy],
                                      popupAnchor: [dx, dy - 6] });
        var label = f.properties.plover_type + (f.properties.acled_sub_event_type ? " · " + f.properties.acled_sub_event_type : "") +
                    (f.properties.place_name ? " · " + f.properties.place_name : "");
        var marker = window.L.marker([lat, lon], { icon: icon, title: label, riseOnHover: true });
        marker.bindPopup(function () { return eventPopup(f); }, { maxWidth: 320 });
        marker.addTo(layer);
        bounds.push([lat, lon]);
      });
      if (done) { done(geo); }
    }).catch(function () { /* no events layer */ });
    return layer;
  }

  function placeLayer(here, bounds, done) {
    var L = window.L;
    var layer = L.layerGroup();
    getJSON("/api/map").then(function (places) {
      var largest = 1;
      places.features.forEach(function (f) { largest = Math.max(largest, f.properties.mention_count); });
      places.features.sort(function (a, b) { return b.properties.mention_count - a.properties.mention_count; });
      places.features.forEach(function (f) {
        var lon = f.geometry.coordinates[0], lat = f.geometry.coordinates[1];
        var mine = f.id === here;
        var other = here !== null && !mine;
        var marker = L.circleMarker([lat, lon], {
          radius: Math.max(mine ? 8 : 4, 22 * Math.sqrt(f.properties.mention_count / largest)),
          color: other ? "#475569" : "#7c2d12", weight: 1,
          fillColor: other ? "#64748b" : "#ea580c", fillOpacity: other ? 0.35 : 0.6
        }).addTo(layer);
        var n = f.properties.mention_count;
        marker.bindTooltip(tip(f.properties.name + " · " + n + (n === 1 ? " mention" : " mentions")));
        marker.on("click", function () { window.location.href = "/places/" + encodeURIComponent(f.id); });
        if (mine) { marker.on("add", function () { marker.bringToFront(); }); }
        bounds.push([lat, lon]);
      });
      if (done) { done(); }
    }).catch(function () { /* the static map stays */ });
    return layer;
  }

  function liveMap(figure) {
    var L = window.L;
    var host = document.createElement("div");
    host.className = "map-live";
    figure.appendChild(host);
    var img = figure.querySelector("img");
    if (img) { img.hidden = true; }
    var map = L.map(host, { worldCopyJump: false, minZoom: 1, maxZoom: 10, zoomSnap: 0.5 });
    map.attributionControl.addAttribution("Country outlines: Natural Earth (via countryinfo)");
    var kind = figure.dataset.map;
    var here = figure.dataset.id || null;
    if (kind === "place") {
      map.setView([parseFloat(figure.dataset.lat), parseFloat(figure.dataset.lon)], ZOOM[figure.dataset.feature] || 5);
    } else {
      map.setView([25, 15], 2);
    }
    getJSON("/api/basemap").then(function (geo) {
      L.geoJSON(geo, { interactive: false, style: { color: "#a9b4bd", weight: 0.7, fillColor: "#f6f4ee", fillOpacity: 1 } })
        .addTo(map).bringToBack();
      map.invalidateSize();
    }).catch(function () {
      host.remove();
      if (img) { img.hidden = false; }
    });
    var placeBounds = [], eventBounds = [];
    function fit(bounds) {
      if (bounds.length) { map.fitBounds(bounds, { padding: [40, 40], maxZoom: 5 }); }
    }
    var places = placeLayer(here, placeBounds, kind === "world" ? function () { fit(placeBounds); } : null);
    if (kind === "place") {
      places.addTo(map);
      return;
    }
    var events = eventLayer(figure.dataset.query || "", eventBounds, kind === "events" ? function (geo) {
      fit(eventBounds);
      figure.dataset.events = String(geo.features.length);
    } : null);
    (kind === "events" ? events : places).addTo(map);
    if (kind === "world") { events.addTo(map); }
    L.control.layers(null, { "Places": places, "Events": events }, { collapsed: false, position: "topright" }).addTo(map);
  }

  function flashFact() {
    var old = document.querySelectorAll(".hl.flash");
    for (var i = 0; i < old.length; i++) { old[i].classList.remove("flash"); }
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id || !/^[a-z]+(-\d+)?$/.test(id)) { return; }
    var parts = document.querySelectorAll('.text [data-f~="' + id + '"]');
    for (var j = 0; j < parts.length; j++) { parts[j].classList.add("flash"); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.L) {
      var maps = document.querySelectorAll("figure.map[data-map]");
      for (var i = 0; i < maps.length; i++) { liveMap(maps[i]); }
    }
    if (document.querySelector(".doc .text")) {
      flashFact();
      window.addEventListener("hashchange", flashFact);
    }
  });
})();
