"""Renderers: the simulated pair's outputs in the native forms Windows writes them.

psvalues  typed values (TimeSpan, DateTime, enum, IP address) and how each shell prints them
psjson    ConvertTo-Json as Windows PowerShell 5.1 and PowerShell 7 write it
pstext    Format-List and Format-Table console text
artifacts one function per bundle artifact: the model's records for one server
events    Get-WinEvent | ConvertTo-Json, wevtutil qe /f:xml, Event Viewer CSV
"""
