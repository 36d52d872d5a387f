"""Transfer plugins: hours, machine hours and goods consumption from SmartDok to PowerOffice."""
