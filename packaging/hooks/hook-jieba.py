# PolicyDesk reads only jieba's general dictionary (matcher.common.text._words, found with
# importlib.util.find_spec: the spec names jieba as a hidden import); the contrib hook would
# also bundle the 13 MB lac_small model and the analyse/posseg data.
from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("jieba", includes=["dict.txt"])
