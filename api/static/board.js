// Name suggestions for the board's edit forms: inputs with data-suggest="Label,Label" fill
// their datalist from /api/v1/search, which matches without accents or case.
(function () {
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var types = input.dataset.suggest.split(",");
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2 || !list) return;
      timer = setTimeout(function () {
        var params = new URLSearchParams({q: q, limit: "10"});
        types.forEach(function (t) { params.append("type", t); });
        fetch("/api/v1/search?" + params).then(function (r) { return r.ok ? r.json() : {items: []}; })
          .then(function (data) {
            list.replaceChildren();
            (data.items || []).forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.name;
              option.label = item.id;
              list.appendChild(option);
            });
          });
      }, 200);
    });
  });
})();
