// sitroom web app: progressive enhancement only. Every page works without this file.
// 1. figure.map[data-map] (a static SVG map) becomes an interactive Leaflet map when the
//    vendored Leaflet is present: country outlines from /api/basemap (no tile server), places
//    from /api/map as circles sized by mentions.
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

  function liveMap(figure) {
    var L = window.L;
    var host = document.createElement("div");
    host.className = "map-live";
    figure.appendChild(host);
    var img = figure.querySelector("img");
    if (img) { img.hidden = true; }
    var map = L.map(host, { worldCopyJump: false, minZoom: 1, maxZoom: 10, zoomSnap: 0.5 });
    map.attributionControl.addAttribution("Country outlines: Natural Earth (via countryinfo)");
    var here = figure.dataset.id || null;
    if (figure.dataset.map === "place") {
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
    getJSON("/api/map").then(function (places) {
      var largest = 1;
      places.features.forEach(function (f) { largest = Math.max(largest, f.properties.mention_count); });
      var bounds = [];
      places.features.sort(function (a, b) { return b.properties.mention_count - a.properties.mention_count; });
      places.features.forEach(function (f) {
        var lon = f.geometry.coordinates[0], lat = f.geometry.coordinates[1];
        var mine = f.id === here;
        var other = here !== null && !mine;
        var marker = L.circleMarker([lat, lon], {
          radius: Math.max(mine ? 8 : 4, 22 * Math.sqrt(f.properties.mention_count / largest)),
          color: other ? "#475569" : "#7c2d12", weight: 1,
          fillColor: other ? "#64748b" : "#ea580c", fillOpacity: other ? 0.35 : 0.6
        }).addTo(map);
        var n = f.properties.mention_count;
        marker.bindTooltip(tip(f.properties.name + " · " + n + (n === 1 ? " mention" : " mentions")));
        marker.on("click", function () { window.location.href = "/places/" + encodeURIComponent(f.id); });
        if (mine) { marker.bringToFront(); }
        bounds.push([lat, lon]);
      });
      if (figure.dataset.map === "world" && bounds.length) {
        map.fitBounds(bounds, { padding: [40, 40], maxZoom: 5 });
      }
    }).catch(function () { /* the static map stays */ });
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
