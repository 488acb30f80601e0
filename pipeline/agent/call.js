// No CDN, no STUN server: the page and the media stay on the practice's network.
const button = document.getElementById("call");
const statusEl = document.getElementById("status");
let pc = null;
let stream = null;

function setStatus(text) { statusEl.textContent = text; document.body.dataset.status = text; }

function iceGathered(peer) {
  if (peer.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    peer.addEventListener("icegatheringstatechange", () => {
      if (peer.iceGatheringState === "complete") resolve();
    });
    setTimeout(resolve, 2000);
  });
}

async function call() {
  setStatus("micro…");
  stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  pc = new RTCPeerConnection({ iceServers: [] });
  stream.getAudioTracks().forEach((track) => pc.addTrack(track, stream));
  pc.addTransceiver("video", { direction: "recvonly" });
  pc.ontrack = (event) => {
    if (event.track.kind === "audio") {
      document.getElementById("remote").srcObject = event.streams[0] || new MediaStream([event.track]);
    }
  };
  pc.onconnectionstatechange = () => setStatus(pc.connectionState === "connected" ? "en ligne" : pc.connectionState);
  await pc.setLocalDescription(await pc.createOffer());
  await iceGathered(pc);
  setStatus("connexion…");
  const response = await fetch("/api/agent/offer", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    // Several practices: /call?practice=ID is that practice's line.
    body: JSON.stringify({ sdp: pc.localDescription.sdp, type: pc.localDescription.type,
                           language: document.getElementById("language").value,
                           practice: new URLSearchParams(location.search).get("practice") }),
  });
  if (!response.ok) { setStatus("erreur " + response.status); return; }
  const answer = await response.json();
  window.pcId = answer.pc_id;
  await pc.setRemoteDescription({ sdp: answer.sdp, type: answer.type });
  button.textContent = "Raccrocher";
  button.classList.add("hangup");
}

function hangup() {
  if (pc) pc.close();
  if (stream) stream.getTracks().forEach((t) => t.stop());
  pc = null;
  setStatus("terminé");
  button.textContent = "Appeler";
  button.classList.remove("hangup");
}

button.addEventListener("click", () => {
  if (pc) hangup(); else call().catch((err) => setStatus("erreur : " + err.message));
});
