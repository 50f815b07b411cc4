"""The ten mechanisms of MODEL_BRIEF §3, one module each, applied in this order every week."""
