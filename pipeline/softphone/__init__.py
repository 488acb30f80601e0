"""The take-over softphone: "Prendre l'appel" bridges a live call's audio (Twilio media stream
or browser caller) to the tele-secretary's browser over WebRTC, both ways, on-premise.

``registry`` (light: the API's view), ``bridge`` (the pipecat processors and the state of one
call's bridge), ``leg`` (the aiortc peer connection with the softphone page), ``routes``.
"""
