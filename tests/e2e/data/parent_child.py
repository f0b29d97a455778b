# A python that runs another python (child_tree.py) with subprocess.
import subprocess
import sys
import os

here = os.path.dirname(os.path.abspath(__file__))
subprocess.run([sys.executable, os.path.join(here, "child_tree.py")], check=True)
