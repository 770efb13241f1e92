"""A labelled corpus of government and citizen text, and precision/recall of the engine on it.

Every sentence carries what a careful moderator would expect the shipped dictionary (plus the
small test dictionary below) to report: the dictionary words and rule names, nothing else.
Personal data is left out of the count (its detectors have their own tests). The corpus mixes
portal news, official formulations, citizens' letters, English, numbers, pinyin, traditional
characters, and traps: official terms and place names containing a listed substring, sentences
whose end and the next sentence's start form a listed word, Latin words inside longer words.
It also keeps evasions the engine is known not to see (homophones, leetspeak, plurals), so recall
is measured, not assumed.

Run ``.venv/bin/python tests/sensitive_words/sw_corpus.py`` to print the figures;
``test_sw_corpus.py`` asserts them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sensitive_words.engine import BLOCK, AllowEntry, Engine, Entry, Rule  # noqa: E402
from sensitive_words.seed import SEED_ALLOW, SEED_RULES, SEED_WORDS  # noqa: E402

TEST_DICTIONARY = "测试词库"
# Test data only, never shipped: words a real bureau dictionary has, with the allow-list phrases
# a curator adds for them.
TEST_WORDS = [
    ("口交", "涉黄", "block"),
    ("白粉", "暴恐", "block"),
    ("冰毒", "暴恐", "block"),
    ("赌博", "涉赌", "review"),
    ("裸聊", "涉黄", "block"),
    ("傻逼", "辱骂", "replace"),
    ("porn", "涉黄", "block"),
    ("casino", "涉赌", "review"),
    ("viagra", "广告", "block"),
    ("ass", "辱骂", "replace"),
]
TEST_ALLOW = [
    *(f"{c}口交" for c in "路出入进港窗接人户道关门渡"),
    "白粉病",
    "白粉虱",
]

# (text, expected hits). An empty tuple: nothing should be reported.
GOVERNMENT = [
    ("自治区信访局召开2024年第一季度信访形势分析会。", ()),
    ("广西壮族自治区信访局认真贯彻落实《信访工作条例》。", ()),
    ("国家信访局领导到南宁市调研网上信访工作。", ()),
    ("各级农业部门要抓好春耕备耕各项工作。", ()),
    ("会议对下一阶段农业部署提出明确要求。", ()),
    ("市文化部门组织开展送戏下乡活动。", ()),
    ("会议对全年文化部署作了具体安排。", ()),
    ("自然资源部发布2023年全国国土资源调查成果。", ()),
    ("生态环境部通报第二轮中央生态环境保护督察整改情况。", ()),
    ("农业农村部部署秋冬种工作。", ()),
    ("文化和旅游部公布第一批国家级旅游休闲街区名单。", ()),
    ("国家卫生健康委员会发布健康中国行动监测评估报告。", ()),
    ("国家市场监督管理总局开展食品安全监督抽检。", ()),
    ("国家药品监督管理局批准一批创新药上市。", ()),
    ("国家药监局提醒公众不要网购处方药。", ()),
    ("应急管理部部署防汛救灾工作。", ()),
    ("退役军人事务部扎实做好优抚安置工作。", ()),
    ("国家金融监督管理总局广西监管局开展金融知识进万家活动。", ()),
    ("国家矿山安全监察局广西局开展汛期安全检查。", ()),
    ("国家矿山安监局通报一起较大事故。", ()),
    ("国家林业和草原局公布古树名木普查结果。", ()),
    ("国家粮食和物资储备局部署秋粮收购工作。", ()),
    ("国家税务总局广西壮族自治区税务局推出十项便民办税措施。", ()),
    ("司法部印发公共法律服务体系建设规划。", ()),
    ("国家广播电视总局开展优秀网络视听作品推选活动。", ()),
    ("中共中央总书记、国家主席、中央军委主席习近平发表重要讲话。", ()),
    ("中共中央总书记、国家主席、中央军委主席习近平近日签署命令。", ()),
    ("习近平新时代中国特色社会主义思想主题教育在全区深入开展。", ()),
    ("深入学习贯彻党的二十大和二十届三中全会精神。", ()),
    ("展览回顾了党的一大、党的八大的历史意义。", ()),
    ("党的十八大以来，全区脱贫攻坚取得决定性成就。", ()),
    ("十九届四中全会对推进国家治理体系和治理能力现代化作出部署。", ()),
    ("铸牢中华民族共同体意识，促进各民族交往交流交融。", ()),
    ("推进“两学一做”学习教育常态化制度化。", ()),
    ("高质量共建“一带一路”取得新成效。", ()),
    ("不忘初心、牢记使命，奋力谱写中国式现代化广西篇章。", ()),
    ("广泛培育和践行社会主义核心价值观。", ()),
    ("社会主义核心价值观关乎国家前途命运。", ()),
    ("坚持和发展中国特色社会主义，坚定社会主义道路自信。", ()),
    ("城乡居民基本医疗保险集中参保缴费工作启动。", ()),
    ("新型冠状病毒感染实施“乙类乙管”后，医疗服务有序恢复。", ()),
    ("中国进出口商品交易会在广州开幕。", ()),
    ("今年前三季度广西出口交易额同比增长12.5%。", ()),
    ("前方路口交通管制，请车辆绕行。", ()),
    ("北部湾港口交接班制度进一步完善。", ()),
    ("市民服务中心窗口交办事项当日办结。", ()),
    ("农技专家讲解小麦白粉病防治技术要点。", ()),
    ("温室白粉虱发生较重，请及时开展防治。", ()),
    ("大麻纤维产业成为当地特色产业。", ()),
    ("三黄片属于非处方药，请按说明书服用。", ()),
    ("自治区监察委员会召开新闻发布会。", ()),
    ("各级纪检监察部门持续加强日常监督。", ()),
    ("各地环保部门加大执法检查力度。", ()),
    ("受冷空气影响，我国国土局部地区出现强降雨。", ()),
    ("广西壮族自治区卫生健康委员会发布高温健康提示。", ()),
    ("南宁市市场监督管理局开展节前价格检查。", ()),
    ("柳州市生态环境局公布上半年空气质量状况。", ()),
    ("桂林市自然资源局公示国土空间规划草案。", ()),
    ("梧州市应急管理局组织开展防汛应急演练。", ()),
    ("北海海关查获一批走私冻品。", ()),
    ("国家统计局发布2024年国民经济运行数据。", ()),
    ("国务院办公厅印发关于优化政务服务的通知。", ()),
    ("习近平总书记在广西考察时强调，要解放思想、深化改革。", ()),
    ("二十届中央纪委三次全会在北京召开。", ()),
    ("十四届全国人大二次会议在京开幕。", ()),
    ("2024年是中华人民共和国成立75周年。", ()),
    ("实现中华民族伟大复兴是近代以来中华民族最伟大的梦想。", ()),
    ("坚持不懈推进全面从严治党。", ()),
    ("矢志不渝听党话、感党恩、跟党走。", ()),
    ("农业农村部加挂国家乡村振兴局牌子。", ()),
    ("自然资源部（国家海洋局）发布海洋灾害公报。", ()),
    ("全国老龄工作委员会办公室设在民政部。", ()),
    ("国家卫生健康委老龄健康司负责老年健康工作。", ()),
    ("中国证监会发布上市公司监管新规。", ()),
    ("保险业监管由国家金融监督管理总局负责。", ()),
    ("国家知识产权局发布上半年专利统计数据。", ()),
    ("国家数据局正式揭牌。", ()),
    ("2024年全区共受理群众来信来访12.3万件次。", ()),
    ("信访事项办理群众满意率达到95%以上。", ()),
    ("网上信访占信访总量的比例超过70%。", ()),
    ("请拨打110报警，或拨打12345政务服务便民热线。", ()),
    ("自治区人民政府召开第3次常务会议。", ()),
    ("桂政办发〔2024〕15号文件已公开发布。", ()),
    ("税务部门提醒：个人所得税综合所得汇算即将截止。", ()),
    ("医保部门持续优化城乡居民医保经办服务。", ()),
    ("自治区民政厅部署冬春困难群众救助工作。", ()),
    ("县农业农村局组织技术人员下乡指导。", ()),
    ("国家发展和改革委员会召开新闻发布会。", ()),
    ("百色市开展“壮族三月三”文化旅游活动。", ()),
    ("河池市大化瑶族自治县推进易地扶贫搬迁后续扶持。", ()),
    ("防城港市东兴口岸通关效率持续提升。", ()),
    ("玉林市陆川县举办第六届乡村文化节。", ()),
    ("崇左市凭祥友谊关口岸货运量创新高。", ()),
    ("贺州市黄姚古镇入选国家级旅游休闲街区。", ()),
    ("来宾市推进糖料蔗“双高”基地建设。", ()),
    ("钦州港东站集装箱办理量稳步增长。", ()),
    ("六合区举办第三届彩灯文化节。", ()),
    ("南宁市青秀区开展“六个一”主题实践活动。", ()),
    ("全区一季度地区生产总值同比增长4.8%。", ()),
    ("“十四五”规划纲要确定的主要目标任务进展顺利。", ()),
    ("国家主席习近平同来访的外国元首举行会谈。", ()),
    ("国務院辦公廳印發關於優化營商環境的意見。", ()),
    ("廣西壯族自治區信訪局地址：南寧市青秀區。", ()),
    ("國家市場監督管理總局發布抽檢結果。", ()),
    ("党的二十届三中全会审议通过《决定》。", ()),
    ("全面落实“两个确立”、坚决做到“两个维护”。", ()),
    ("三严三实专题教育取得实效。", ()),
    ("扎扎实实办好民生实事。", ()),
    ("踏踏实实做好信访接待工作。", ()),
]

CITIZEN = [
    ("我家门口的路灯坏了三个月了，一直没人修。", ()),
    ("小区物业乱收费，希望有关部门管一管。", ()),
    ("村里的道路坑坑洼洼，下雨天出行很不方便。", ()),
    ("工地夜间施工噪音太大，严重影响休息。", ()),
    ("单位拖欠工资三个月，多次讨要无果，请求帮助。", ()),
    ("孩子上学路远，希望增开校车。", ()),
    ("医院挂号太难了，排队要排一上午。", ()),
    ("楼下餐馆油烟直排，家里窗户都不敢开。", ()),
    ("我反映的问题已经解决，非常感谢！", ()),
    ("谢谢政府帮我们解决了饮水难问题。", ()),
    ("请问老人医保报销比例是多少？", ()),
    ("他的脸色很白。粉笔灰落了一地。", ()),
    ("墙面刷得雪白！粉刷师傅很辛苦。", ()),
    ("孩子脸色发白\n粉尘污染太严重了", ()),
    ("路口交通信号灯时间太短，老人过马路很危险。", ()),
    ("高速出口交通拥堵严重，建议增设车道。", ()),
    ("小区入口交叉路段经常堵车。", ()),
    ("我已经在门口交了物业费。", ()),
    ("户口交给派出所办理了吗？", ()),
    ("进口交易的手续太复杂。", ()),
    ("這個政策太好了，點讚！", ()),
    ("請問廣西壯族自治區信訪局的地址在哪裡？", ()),
    ("我們村的自來水管道破裂了，請盡快維修。", ()),
    ("Nanning Shi Qingxiu Qu Minzu Dadao 100 hao", ()),
    ("wo jia zai nanning, xiexie nimen", ()),
    ("2024年6月合同到期后房东不退押金。", ()),
    ("六个合作社的彩色大棚被大风吹坏了。", ()),
    ("我买彩票中了六等奖，去哪里兑奖？", ()),
    ("我家住在六合路彩虹小区。", ()),
    ("老王家的狗狗天天叫，邻居都睡不好。", ()),
    ("社区卫生服务中心的医生态度很好。", ()),
    ("希望尽快解决小区停车难问题。", ()),
    ("我要投诉快递员把包裹放在门口就走了。", ()),
    ("菜市场的电子秤不准，缺斤少两。", ()),
    ("学校周边的小摊卖三无食品。", ()),
    ("农村低保的申请条件是什么？", ()),
    ("新冠疫苗加强针在哪里可以打？", ()),
    ("公交车改线后我们村没车了。", ()),
    ("请问退役军人优待证怎么办理？", ()),
    ("我要举报有人在河道非法采砂。", ()),
    ("工厂排放的废水把稻田污染了。", ()),
    ("邻居违建占用了消防通道。", ()),
    ("养老金什么时候发放？", ()),
    ("希望在村口安装一盏路灯。", ()),
    ("电动车充电桩太少，晚上排队充电。", ()),
    ("孩子的学籍转不过来，急！", ()),
    ("房屋征收补偿标准太低，不合理。", ()),
    ("小区电梯经常坏，物业不及时维修。", ()),
    ("请问社保卡丢了怎么补办？", ()),
    ("我在网上办理营业执照，一直审核不通过。", ()),
    ("医保卡里的钱能给家人用吗？", ()),
    ("乡镇卫生院缺少儿科医生。", ()),
    ("街道办的工作人员服务热情，点赞！", ()),
    ("下水道堵了好几天，臭气熏天。", ()),
    ("我父亲是退伍老兵，想咨询优抚政策。", ()),
    ("这条路白天车多。粉笔店的老板也这么说。", ()),
    ("颜色是白？粉？我也说不清。", ()),
    ("他说话太冲了，真是个大麻烦。", ()),
    ("我在超市买到过期食品，要求赔偿。", ()),
    ("农民工工资保证金制度落实得怎么样？", ()),
]

ENGLISH = [
    ("The Guangxi Petition Bureau received 1,203 online complaints in March.", ()),
    ("Our first-class service is available as soon as possible.", ()),
    ("Please pass the assessment form to the embassy.", ()),
    ("The ambassador attended the class on mass transit.", ()),
    ("Glasses and a compass were found at the lost-and-found office.", ()),
    ("We assist citizens with their petitions.", ()),
    ("Visa services are listed on the website.", ()),
    ("Press release on the 2024 Belt and Road Forum.", ()),
    ("Download the annual report (PDF, 2 MB).", ()),
    ("Bring your passport and a classic ID photo.", ()),
    ("As promised, the road was repaired within a week.", ()),
    ("Class 3 students visited the museum.", ()),
    ("The bassist played at the cultural festival.", ()),
    ("Harassment of petitioners is strictly prohibited.", ()),
    ("She was massively helpful, thank you.", ()),
    ("The Casinos Act was repealed decades ago in that country.", ()),
    ("Win big at the online casino tonight!", ("casino",)),
    ("CASINO BONUS 500% — click now", ("casino",)),
    ("Visit casino.example.com for free chips", ("casino",)),
    ("c a s i n o, best odds in town", ("casino",)),
    ("Cheap viagra, no prescription needed", ("viagra",)),
    ("VIAGRA100mg discount", ("viagra",)),
    ("v.i.a.g.r.a shipped worldwide", ("viagra",)),
    ("Free porn videos here", ("porn",)),
    ("P O R N links in the comments", ("porn",)),
    ("Kiss my ass!", ("ass",)),
    ("What an ass, he never answers the phone.", ("ass",)),
    ("Mark Six (六合彩) results for 2024", ("六合彩",)),
    ("liuhecai2024 tips, add me", ("六合彩",)),
    ("Buy lhc2024 numbers here", ("六合彩",)),
    ("Contact daikaifapiao on WeChat", ("代开发票",)),
    ("dai kai fa piao, fast and cheap", ("代开发票",)),
    ("The LHC experiment at CERN is a physics collaboration.", ()),
    ("We downloaded the lhcb open data.", ()),
    ("I was so surprised by the quick reply.", ()),
    ("That is as far as the bus goes.", ()),
]

POSITIVES = [
    # demo dictionary: advertising, gambling, vulgarity, with disguises
    ("有人在小区门口发小广告：代开发票、办证刻章。", ("代开发票", "办证刻章")),
    ("专业代开发票，价格优惠。", ("代开发票",)),
    ("代 开 发 票，欢迎咨询", ("代开发票",)),
    ("代開發票，量大從優", ("代开发票",)),
    ("代kai发票找我", ("代开发票",)),
    ("代代开开发发票票", ("代开发票",)),
    ("代😀开发票", ("代开发票",)),
    ("代\u200b开\u200b发票", ("代开发票",)),
    ("ＤＡＩＫＡＩＦＡＰＩＡＯ", ("代开发票",)),
    ("dkfp加微信", ("代开发票",)),
    ("2024六合彩开奖结果", ("六合彩",)),
    ("2024年六合彩内部资料", ("六合彩",)),
    ("陸合彩特码", ("六合彩",)),
    ("6合彩免费资料", ("六合彩",)),
    ("⑥合彩", ("六合彩",)),
    ("六合彩2024期", ("六合彩",)),
    ("六 合 彩 心水推荐", ("六合彩",)),
    ("村里有人组织网络赌博。", ("网络赌博", "赌博")),
    ("无抵押贷款，当天放款", ("无抵押贷款",)),
    ("网上传播黄片的人被抓了。", ("黄片",)),
    ("有人在群里发黃片", ("黄片",)),
    ("黄 片 资源", ("黄片",)),
    ("吸食大麻是违法行为。", ("大麻",)),
    ("你就是个傻冒", ("傻冒",)),
    ("笨蛋才会相信这种话", ("笨蛋",)),
    ("楼上住的人是个傻逼，天天半夜装修。", ("傻逼",)),
    # test dictionary
    ("举报：有人在出租屋里制贩冰毒。", ("冰毒",)),
    ("冰.毒、白粉都有", ("冰毒", "白粉")),
    ("有人在网吧附近贩卖白粉。", ("白粉",)),
    ("卖白，粉的人又来了", ("白粉",)),
    ("小区里有人聚众赌博。", ("赌博",)),
    ("麻将馆涉嫌賭博", ("赌博",)),
    ("赌赌博博天天有", ("赌博",)),
    ("网上裸聊诈骗要小心。", ("裸聊",)),
    ("小广告上写着口交服务。", ("口交",)),
    # 表述规范: outdated institution names (2018 and 2023 reforms)
    ("根据《信访条例》第十四条规定办理。", ("信访条例",)),
    ("原国家工商总局发布的文件已废止。", ("国家工商总局",)),
    ("本办法由国家工商行政管理总局负责解释。", ("国家工商行政管理总局",)),
    ("南宁市工商行政管理局发出通知。", ("工商行政管理局",)),
    ("我去工商局投诉过好几次了。", ("工商局",)),
    ("国家质检总局发布产品质量抽查结果。", ("国家质检总局",)),
    ("国家质量监督检验检疫总局令第123号", ("国家质量监督检验检疫总局",)),
    ("柳州市质量技术监督局开展电梯检查。", ("质量技术监督局",)),
    ("质监局的人来检查过锅炉。", ("质监局",)),
    ("广西出入境检验检疫局发布通告。", ("出入境检验检疫局",)),
    ("国家食品药品监督管理总局批准上市。", ("国家食品药品监督管理总局",)),
    ("食药监总局通报不合格产品。", ("食药监总局",)),
    ("玉林市食品药品监督管理局开展检查。", ("食品药品监督管理局",)),
    ("我已经向食药监局举报了这家餐馆。", ("食药监局",)),
    ("国土资源部印发通知。", ("国土资源部",)),
    ("广西壮族自治区国土资源厅公示用地审批。", ("国土资源厅",)),
    ("桂林市国土资源局办理不动产登记。", ("国土资源局",)),
    ("宅基地的事要找国土局吗？", ("国土局",)),
    ("国家测绘地理信息局发布标准地图。", ("国家测绘地理信息局",)),
    ("环境保护部公布重点排污单位名录。", ("环境保护部",)),
    ("环保部发布空气质量排名。", ("环保部",)),
    ("自治区环境保护厅开展执法检查。", ("环境保护厅",)),
    ("环保厅的通知已经转发。", ("环保厅",)),
    ("市环境保护局受理环评申请。", ("环境保护局",)),
    ("化工厂偷排污水，环保局不管。", ("环保局",)),
    ("国家卫生计生委发布通知。", ("计生委",)),
    ("市卫计委组织义诊活动。", ("卫计委",)),
    ("国家卫生和计划生育委员会令第8号", ("计划生育委员会",)),
    ("原农业部发布的标准继续有效。", ("农业部",)),
    ("文化部公布非物质文化遗产名录。", ("文化部",)),
    ("国家旅游局评定5A级景区。", ("国家旅游局",)),
    ("国家新闻出版广电总局批准发行。", ("新闻出版广电总局",)),
    ("自治区新闻出版广电局开展节目审查。", ("新闻出版广电局",)),
    ("监察部发布通报。", ("监察部",)),
    ("国务院法制办公布征求意见稿。", ("国务院法制办",)),
    ("国家安全生产监督管理总局通报事故。", ("国家安全生产监督管理总局",)),
    ("国家安监总局部署安全检查。", ("国家安监总局",)),
    ("区安全生产监督管理局检查烟花爆竹。", ("安全生产监督管理局",)),
    ("工厂发生事故，安监局来调查了。", ("安监局",)),
    ("民政部救灾司下拨救灾资金。", ("民政部救灾司",)),
    ("民政部优抚安置局发布通知。", ("民政部优抚安置局",)),
    ("国家林业局批复自然保护区。", ("国家林业局",)),
    ("国家粮食局公布最低收购价。", ("国家粮食局",)),
    ("国家煤矿安全监察局通报事故。", ("国家煤矿安全监察局",)),
    ("国家煤矿安监局开展执法检查。", ("国家煤矿安监局",)),
    ("广西壮族自治区国家税务局发布公告。", ("国家税务局",)),
    ("南宁市地方税务局办税服务厅。", ("地方税务局",)),
    ("我去地税局交了房产税。", ("地税局",)),
    ("国税局的发票怎么开？", ("国税局",)),
    ("请问新农合现在还能交吗？", ("新农合",)),
    ("新型农村合作医疗报销比例提高。", ("新型农村合作医疗",)),
    ("银监会发布监管规定。", ("银监会",)),
    ("广西银监局批准开业。", ("银监局",)),
    ("银保监会提示理财风险。", ("银保监会",)),
    ("广西银保监局公布处罚信息。", ("银保监局",)),
    ("南宁银保监分局开展现场检查。", ("银保监分局",)),
    ("中国银行业监督管理委员会令", ("中国银行业监督管理委员会",)),
    ("中国保险监督管理委员会发布规定。", ("中国保险监督管理委员会",)),
    ("中国银行保险监督管理委员会办公厅通知", ("中国银行保险监督管理委员会",)),
    ("原保监会发布的规定仍需参照。", ("保监会旧称",)),
    ("广西保监局已撤销。", ("保监会旧称",)),
    ("国务院扶贫办公布贫困县退出名单。", ("国务院扶贫办",)),
    ("国务院扶贫开发领导小组办公室印发通知。", ("国务院扶贫开发领导小组办公室",)),
    ("國土資源部發布通知。", ("国土资源部",)),
    ("環境保護部公布名單。", ("环境保护部",)),
    ("国土 资源部", ("国土资源部",)),
    ("国家信访办转来群众来信。", ("国家信访局名称",)),
    ("广西信访办接待来访群众。", ("自治区信访局名称",)),
    ("新冠肺炎疫情防控工作会议召开。", ("新冠病名",)),
    ("国家卫生健康委员会全国老龄办部署工作。", ("全国老龄办隶属",)),
    # 表述规范: leader titles and official formulations
    ("国家主席、中共中央总书记、中央军委主席习近平发表讲话。", ("领导职务排序",)),
    ("中共中央总书记、中央军委主席、国家主席习近平签署命令。", ("领导职务排序",)),
    ("中央军委主席、国家主席习近平", ("领导职务排序",)),
    ("中华人名共和国成立七十五周年", ("中华人名共和国",)),
    ("中华名族伟大复兴", ("中华名族",)),
    ("开展两学一作学习教育", ("两学一作",)),
    ("共建“一代一路”", ("一代一路",)),
    ("不忘出心，牢记使命", ("不忘出心",)),
    ("不忘初心，牢记史命", ("牢记史命",)),
    ("不忘初衷，牢记使命", ("不忘初衷牢记使命",)),
    ("筑牢中华民族共同体意识", ("筑牢中华民族共同体意识",)),
    ("铸劳中华民族共同体意识", ("铸劳中华民族共同体意识",)),
    ("铸牢中华民族共同体意思", ("中华民族共同体意思",)),
    ("坚持不渝推进改革", ("坚持不渝",)),
    ("积极培育社会主义核心价值关", ("社会主义核心价值观误写",)),
    ("践行社会主意核心价值观", ("社会主义误写",)),
    ("坚持中国特色社会主意", ("社会主义误写",)),
    ("坚持中国特设社会主义道路", ("中国特设社会主义",)),
    ("学习习近平新时期中国特色社会主义思想", ("习近平新时期中国特色社会主义思想",)),
    ("学习习近平新时代特色社会主义思想", ("习近平新时代特色社会主义思想",)),
    ("习近平新时代中国特色社会注意思想", ("习近平新时代中国特色社会注意思想",)),
    ("深入学习习近平总书记新时代中国特色社会主义思想", ("思想名称增字",)),
    ("认真学习党的20大精神", ("届次用汉字数字",)),
    ("20届3中全会胜利召开", ("届次用汉字数字",)),
    ("学习贯彻党的19大精神", ("届次用汉字数字",)),
]

# Evasions and variants a moderator would flag but the engine does not see by design: homophones,
# look-alike letters, plurals, misspelled names (each needs its own dictionary entry).
HARD = [
    ("带开发票，价格优惠", ("代开发票",)),  # homophone
    ("六盒彩资料大全", ("六合彩",)),  # homophone
    ("free p0rn", ("porn",)),  # leetspeak
    ("best casinos online", ("casino",)),  # plural
    ("你个傻b", ("傻逼",)),  # letter for a character
    ("黄piàn资源", ("黄片",)),  # pinyin of a word without pinyin matching
    ("冰du有货", ("冰毒",)),  # pinyin of a word without pinyin matching
    ("原国土资原局的文件", ("国土资源局",)),  # misspelled outdated name
]

CORPUS = GOVERNMENT + CITIZEN + ENGLISH + POSITIVES + HARD


def build_engine() -> Engine:
    """The shipped seed (as ``seed_defaults`` loads it) plus the test dictionary."""
    entries = [
        Entry(w, category=c, level=lv, suggestion=s, dictionary=d, pinyin=p)
        for d, rows in SEED_WORDS.items()
        for w, c, lv, s, p in rows
    ]
    entries += [
        Entry(w, category=c, level=lv, dictionary=TEST_DICTIONARY) for w, c, lv in TEST_WORDS
    ]
    allow = [AllowEntry(p, dictionary=d) for p, d in SEED_ALLOW]
    allow += [AllowEntry(p, dictionary=TEST_DICTIONARY) for p in TEST_ALLOW]
    rules = [Rule(**r) for r in SEED_RULES]
    return Engine(entries, allow, rules)


@dataclass
class Figures:
    sentences: int = 0
    expected: int = 0
    true_positives: int = 0
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)  # text, word, level
    false_negatives: list[tuple[str, str]] = field(default_factory=list)
    wrongly_blocked: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + len(self.false_positives)
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0


def blocking_words(engine: Engine) -> set[str]:
    return {e.word for e in engine.entries if e.level == BLOCK} | {
        r.name for r in engine.rules if r.level == BLOCK
    }


def evaluate(engine: Engine, corpus=CORPUS) -> Figures:
    """Precision and recall over (sentence, reported word) pairs; personal data left out."""
    figures = Figures(sentences=len(corpus))
    blocking = blocking_words(engine)
    for text, expected in corpus:
        hits = [h for h in engine.check(text) if h.kind != "pii"]
        found = {h.word for h in hits}
        expected = set(expected)
        figures.expected += len(expected)
        figures.true_positives += len(found & expected)
        for hit in hits:
            if hit.word not in expected:
                figures.false_positives.append((text, hit.word, hit.level))
        figures.false_negatives += [(text, w) for w in sorted(expected - found)]
        if any(h.level == BLOCK for h in hits) and not expected & blocking:
            figures.wrongly_blocked.append(text)
    return figures


def main() -> None:
    figures = evaluate(build_engine())
    print(
        f"sentences {figures.sentences}, expected hits {figures.expected}, "
        f"true positives {figures.true_positives}, false positives {len(figures.false_positives)}, "
        f"false negatives {len(figures.false_negatives)}"
    )
    print(f"precision {figures.precision:.3f}, recall {figures.recall:.3f}")
    print(f"sentences blocked without a block-level word: {len(figures.wrongly_blocked)}")
    for text, word, level in figures.false_positives:
        print(f"  false positive [{level}] {word}: {text!r}")
    for text, word in figures.false_negatives:
        print(f"  missed {word}: {text!r}")


if __name__ == "__main__":
    main()
