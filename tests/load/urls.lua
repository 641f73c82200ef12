-- wrk: each request picks one of the public pages a reader hits most.
local paths = {
  "/initiatives/",
  "/initiatives/?status=ongoing&sort=-start",
  "/initiatives/?q=defence+reform",
  "/initiatives/?focus_area=cyber-defence&status=ongoing&kind=programme",
  "/initiatives/?page=50",
  "/challenges/",
  "/recommendations/?q=cyber",
  "/visits/",
  "/initiatives/partnership-for-peace/",
  "/recommendations/joint-military-exercises/",
  "/initiatives.csv?status=completed",
  "/",
}
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
