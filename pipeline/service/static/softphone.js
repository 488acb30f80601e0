// The take-over softphone ("Prendre l'appel"): the caller's voice in this browser, this
// browser's microphone back to the caller, bridged by the server. WebRTC with no STUN server
// and no CDN: host candidates only, the media stays on the practice's network. The agent's
// summary and live transcript stay on screen beside it (the dashboard's detail panel).
// The panel exposes what it hears for the level meter (and tests): data-state, data-rx-level
// (RMS of the caller's audio, 0..1) and data-rx-freq (its loudest frequency, Hz).
"use strict";

const Softphone = (() => {
  const TEXT = {
    fr: {connecting: "Connexion du softphone…", live: "En ligne avec l'appelant", ended: "Appel terminé",
         failed: "Échec du softphone", hangup: "Raccrocher", mute: "Couper le micro", unmute: "Rétablir le micro",
         title: "Softphone", no_line: "Pas de ligne audio pour cet appel ici : rappelez l'appelant.",
         mic: "Micro indisponible : ", busy: "terminez d'abord l'appel en cours"},
    en: {connecting: "Connecting the softphone…", live: "On the line with the caller", ended: "Call ended",
         failed: "Softphone failed", hangup: "Hang up", mute: "Mute", unmute: "Unmute",
         title: "Softphone", no_line: "No audio line for this call here: call the caller back.",
         mic: "Microphone unavailable: ", busy: "finish the current call first"},
  };
  const s = {pc: null, stream: null, callId: null, ctx: null, timer: null, state: "idle"};

  function tr(key) { return (TEXT[typeof LANG === "string" && TEXT[LANG] ? LANG : "fr"])[key]; }
  function panel() { return document.getElementById("softphone"); }

  function setState(state, detail) {
    s.state = state;
    const p = panel();
    p.hidden = false;
    p.dataset.state = state;
    document.getElementById("softphone-status").textContent = tr(state) + (detail ? ` — ${detail}` : "");
    document.getElementById("softphone-hangup").disabled = !(state === "connecting" || state === "live");
    document.getElementById("softphone-mute").disabled = state !== "live";
  }

  function render(callId) {
    const p = panel();
    p.replaceChildren(
      el("strong", {}, tr("title")), " ",
      el("span", {class: "muted", id: "softphone-call"}, callId), " ",
      el("span", {id: "softphone-status", role: "status"}),
      el("meter", {id: "softphone-level", min: "0", max: "0.5", value: "0"}),
      el("button", {id: "softphone-mute", class: "small", onclick: toggleMute}, tr("mute")),
      el("button", {id: "softphone-hangup", class: "hangup", onclick: () => hangup()}, tr("hangup")),
      el("audio", {id: "softphone-remote", autoplay: true}));
    p.dataset.call = callId;
    p.dataset.rxLevel = "0";
    p.dataset.rxFreq = "0";
  }

  function iceGathered(pc) {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise(resolve => {
      pc.addEventListener("icegatheringstatechange", () => { if (pc.iceGatheringState === "complete") resolve(); });
      setTimeout(resolve, 2000);
    });
  }

  function listen(stream) {
    // Chromium plays a remote WebRTC stream through WebAudio only while a media element has it.
    document.getElementById("softphone-remote").srcObject = stream;
    s.ctx = s.ctx || new AudioContext();
    if (s.ctx.state === "suspended") s.ctx.resume();
    const analyser = s.ctx.createAnalyser();
    analyser.fftSize = 4096;
    s.ctx.createMediaStreamSource(stream).connect(analyser);
    const wave = new Float32Array(analyser.fftSize);
    const spectrum = new Float32Array(analyser.frequencyBinCount);
    clearInterval(s.timer);
    s.timer = setInterval(() => {
      analyser.getFloatTimeDomainData(wave);
      let sum = 0;
      for (const v of wave) sum += v * v;
      const rms = Math.sqrt(sum / wave.length);
      analyser.getFloatFrequencyData(spectrum);
      let best = 1;
      for (let i = 2; i < spectrum.length; i++) if (spectrum[i] > spectrum[best]) best = i;
      const p = panel();
      p.dataset.rxLevel = rms.toFixed(4);
      p.dataset.rxFreq = rms > 0.005 ? String(Math.round(best * s.ctx.sampleRate / analyser.fftSize)) : "0";
      document.getElementById("softphone-level").value = rms;
    }, 100);
  }

  /** Whether a call has an audio line the server can bridge (a live phone or browser call). */
  function canBridge(c) {
    return Boolean(c && c.status === "live" && (c.channel === "twilio" || c.channel === "browser"));
  }

  /** "Prendre l'appel": claim the call, open the softphone. Resolves to the state reached. */
  async function open(callId) {
    if (s.pc && (s.state === "connecting" || s.state === "live")) {
      // Pressing again never hangs up: the same call stays as it is; another call waits
      // until this one is over.
      if (s.callId !== callId) setState(s.state, tr("busy"));
      return s.state;
    }
    s.callId = callId;
    render(callId);
    setState("connecting");
    let claim;
    try {
      claim = await api("POST", `/api/calls/${callId}/softphone`);
    } catch (err) {
      setState("failed", err.status === 404 ? tr("no_line") : err.message);
      return "failed";
    }
    try {
      s.stream = await navigator.mediaDevices.getUserMedia({audio: {echoCancellation: true, noiseSuppression: true}});
    } catch (err) {
      await api("POST", `/api/calls/${callId}/softphone/hangup`).catch(() => null);
      setState("failed", tr("mic") + err.message);
      return "failed";
    }
    const pc = s.pc = new RTCPeerConnection({iceServers: []});
    s.stream.getAudioTracks().forEach(track => pc.addTrack(track, s.stream));
    // The server says on this channel when it ends the leg (caller hung up, deadline passed).
    const control = pc.createDataChannel("control");
    control.onmessage = ev => {
      let m = {};
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m.state === "ended" || m.state === "failed") finish(m.state, m.reason);
    };
    pc.ontrack = ev => { if (ev.track.kind === "audio") listen(ev.streams[0] || new MediaStream([ev.track])); };
    pc.onconnectionstatechange = () => {
      if (pc !== s.pc) return;
      if (pc.connectionState === "connected") setState("live");
      else if (pc.connectionState === "failed" || pc.connectionState === "closed") finish(s.state === "live" ? "ended" : "failed");
    };
    await pc.setLocalDescription(await pc.createOffer());
    await iceGathered(pc);
    try {
      const answer = await api("POST", `/api/calls/${callId}/softphone/offer`,
                               {ticket: claim.ticket, sdp: pc.localDescription.sdp, type: pc.localDescription.type});
      await pc.setRemoteDescription(answer);
    } catch (err) {
      finish("failed", err.message);
      return "failed";
    }
    return "connecting";
  }

  function toggleMute() {
    if (!s.stream) return;
    const track = s.stream.getAudioTracks()[0];
    track.enabled = !track.enabled;
    document.getElementById("softphone-mute").textContent = tr(track.enabled ? "mute" : "unmute");
  }

  function finish(state, reason) {
    const pc = s.pc;
    s.pc = null;
    if (pc) pc.close();
    if (s.stream) s.stream.getTracks().forEach(t => t.stop());
    s.stream = null;
    clearInterval(s.timer);
    if (panel().dataset.state !== "ended") setState(state, reason);
  }

  async function hangup() {
    const id = s.callId;
    if (id && (s.state === "connecting" || s.state === "live")) {
      await api("POST", `/api/calls/${id}/softphone/hangup`).catch(() => null);
    }
    finish("ended");
  }

  /** The dashboard's push messages of kind "softphone" (claims, failures, ends). */
  function onPush(msg) {
    const d = msg.data || {};
    if (msg.call_id !== s.callId || !s.pc) return;
    if (d.state === "ended" || d.state === "failed") finish(d.state, d.reason);
  }

  return {open, hangup, canBridge, onPush};
})();
