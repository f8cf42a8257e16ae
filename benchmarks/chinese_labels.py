"""Label mappings the benchmarks share (both sides use IT桔子-style industry names)."""

# smoothnlp 行业 → itjuzi 行业; labels with no counterpart are left out.
SMOOTHNLP_TO_ITJUZI = {
    "企业服务": "企业服务", "金融": "金融", "医疗": "医疗健康", "硬件": "硬件", "教育": "教育",
    "汽车交通": "汽车交通", "旅游": "旅游", "农业": "农业", "房产": "房产服务", "物流": "物流",
    "物流仓储": "物流", "工具软件与服务": "工具软件", "文娱内容游戏": "文化娱乐",
    "文化内容游戏": "文化娱乐", "电商消费": "电子商务", "生活服务": "本地生活",
    "社区社交": "社交网络",
}  # fmt: skip
