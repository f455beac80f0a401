"""What can run the model's forward, named where the CLI and the configuration can check a choice without torch."""

# eager PyTorch, or OpenVINO (mtaudit.fluency.openvino_runtime; CPU only, optional package)
RUNTIMES = ("torch", "openvino")
