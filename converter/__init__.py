"""sprat's converter: .tflite -> IR -> passes -> sprat ops -> memory plan -> blob."""
